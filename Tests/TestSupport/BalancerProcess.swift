#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A real balancer for one test (``HAProxyProcess``, ``NginxProcess``): a free loopback
/// listen port, a scratch directory for its rendered config and files, the running child.
public class BalancerProcess: @unchecked Sendable {
    /// The port buyers connect to (127.0.0.1).
    public let port: Int
    /// The scratch directory (removed when the process is dropped).
    let directory: URL
    private var child: ChildProcess?

    init(prefix: String) throws {
        port = freeLoopbackPort()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// `template` rendered with `@LISTEN@` = 127.0.0.1:`port` and `values`.
    func render(_ template: URL, _ values: [String: String]) throws -> String {
        try ConfigTemplate.render(template, values.merging(["LISTEN": "127.0.0.1:\(port)"]) { _, new in new })
    }

    /// Runs the first of `binaries` that exists with `check` (must exit 0), then with
    /// `run`, and waits until the port accepts connections.
    func launch(_ binaries: [String], check: [String], run: [String]) throws {
        let binary = binaries.first { FileManager.default.isExecutableFile(atPath: $0) } ?? URL(fileURLWithPath: binaries[0]).lastPathComponent
        let checking = try ChildProcess(executable: binary, arguments: check)
        guard checking.waitForExit(timeoutSeconds: 10) == 0 else {
            throw ConfigTemplateError(description: "\(binary) \(check.joined(separator: " ")) refused the config: \(checking.output())")
        }
        let child = try ChildProcess(executable: binary, arguments: run)
        self.child = child
        let up = waitUntil(timeoutSeconds: 10, pollMillis: 50) { !child.isRunning || loopbackPortAccepts(port) }
        guard up, child.isRunning else {
            throw ConfigTemplateError(description: "\(binary) on port \(port) did not start: \(child.output())")
        }
    }

    /// What the balancer printed so far.
    public func output() -> String { child?.output() ?? "" }

    /// SIGTERM and wait (SIGKILL after 5 s).
    public func stop() {
        guard let child else { return }
        child.terminate()
        if child.waitForExit(timeoutSeconds: 5) == nil { child.kill9() }
        self.child = nil
    }
}
