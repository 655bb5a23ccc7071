import Foundation

/// A real HAProxy for one test, running a config users copy (deploy/haproxy/haproxy.cfg)
/// rendered with its free loopback listen port and the given placeholders.
public final class HAProxyProcess: BalancerProcess, @unchecked Sendable {
    /// Renders `template` (`@LISTEN@` = 127.0.0.1:`port`, plus `values`), checks it with
    /// `haproxy -c`, starts HAProxy in the foreground and waits until it listens.
    public init(template: URL, values: [String: String]) throws {
        try super.init(prefix: "fs-haproxy")
        let config = directory.appendingPathComponent("haproxy.cfg")
        try render(template, values).write(to: config, atomically: true, encoding: .utf8)
        try launch(["/usr/sbin/haproxy", "/usr/local/sbin/haproxy"], check: ["-c", "-q", "-f", config.path],
                   run: ["-db", "-f", config.path])
    }
}
