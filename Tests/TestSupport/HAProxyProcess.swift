import Foundation

/// A real HAProxy for one test, running a config users copy (deploy/haproxy/haproxy.cfg)
/// rendered with its free loopback listen port and the given placeholders.
public final class HAProxyProcess: @unchecked Sendable {
    /// The port buyers connect to (127.0.0.1).
    public let port: Int
    private let directory: URL
    private var child: ChildProcess?

    /// Renders `template` (`@LISTEN@` = 127.0.0.1:`port`, plus `values`), checks it with
    /// `haproxy -c`, starts HAProxy in the foreground and waits until it listens.
    public init(template: URL, values: [String: String]) throws {
        port = freeLoopbackPort()
        directory = try ConfigTemplate.scratchDirectory("fs-haproxy")
        let config = directory.appendingPathComponent("haproxy.cfg")
        try ConfigTemplate.render(template, values.merging(["LISTEN": "127.0.0.1:\(port)"]) { _, new in new })
            .write(to: config, atomically: true, encoding: .utf8)
        let binary = ["/usr/sbin/haproxy", "/usr/local/sbin/haproxy"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? "haproxy"
        let check = try ChildProcess(executable: binary, arguments: ["-c", "-q", "-f", config.path])
        guard check.waitForExit(timeoutSeconds: 10) == 0 else {
            throw ConfigTemplateError(description: "haproxy -c refused \(template.path): \(check.output())")
        }
        let child = try ChildProcess(executable: binary, arguments: ["-db", "-f", config.path])
        self.child = child
        try ConfigTemplate.waitListening(port: port, child: child, what: "haproxy")
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// What HAProxy printed so far.
    public func output() -> String { child?.output() ?? "" }

    /// SIGTERM and wait.
    public func stop() {
        stopChild(child)
        child = nil
    }
}
