#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A config file users copy (deploy/…), rendered for a test: each `@NAME@` placeholder
/// replaced by its value; a placeholder left over is an error.
public enum ConfigTemplate {
    /// The text of `template` with `values` ("NODE1": "127.0.0.1:8080") substituted.
    public static func render(_ template: URL, _ values: [String: String]) throws -> String {
        var text = try String(contentsOf: template, encoding: .utf8)
        for (name, value) in values { text = text.replacingOccurrences(of: "@\(name)@", with: value) }
        if let left = text.range(of: "@[A-Z0-9_]+@", options: .regularExpression) {
            throw ConfigTemplateError(description: "\(template.lastPathComponent): \(text[left]) has no value")
        }
        return text
    }

    /// A fresh scratch directory for a rendered config and the server's files.
    static func scratchDirectory(_ prefix: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Waits until 127.0.0.1:`port` accepts a TCP connection (or `child` exits).
    static func waitListening(port: Int, child: ChildProcess, what: String) throws {
        let up = waitUntil(timeoutSeconds: 10, pollMillis: 50) {
            guard child.isRunning else { return true }
            return canConnect(port: port)
        }
        guard up, child.isRunning else {
            throw ConfigTemplateError(description: "\(what) on port \(port) did not start: \(child.output())")
        }
    }

    private static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}

/// A template that does not render, or a server that did not start.
public struct ConfigTemplateError: Error, CustomStringConvertible {
    public let description: String
}

/// Stops a balancer child: SIGTERM, then SIGKILL after 5 s.
func stopChild(_ child: ChildProcess?) {
    guard let child else { return }
    child.terminate()
    if child.waitForExit(timeoutSeconds: 5) == nil { child.kill9() }
}
