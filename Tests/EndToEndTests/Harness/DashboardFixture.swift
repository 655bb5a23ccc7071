import Foundation
import TestSupport
import XCTest

/// A `flashsale dashboard` process on a free port.
final class DashboardProcess {
    let port: Int
    let process: ChildProcess

    init(redisURL: String, port: Int? = nil) throws {
        self.port = port ?? freeLoopbackPort()
        process = try ChildProcess(executable: builtBinary("flashsale"),
                                   arguments: ["dashboard", "--redis", redisURL, "--host", "127.0.0.1", "--port", String(self.port)])
        let up = waitUntil(timeoutSeconds: 15, pollMillis: 50) {
            (try? HTTPTestClient.request(port: self.port, "GET", "/healthz", timeoutSeconds: 2).status) == 200
        }
        guard up else { throw HTTPTestError(description: "dashboard on \(self.port) not up; output:\n\(process.output())") }
    }

    deinit {
        process.terminate()
        if process.waitForExit(timeoutSeconds: 10) == nil { process.kill9() }
    }

    var url: String { "http://127.0.0.1:\(port)/" }

    func get(_ path: String) throws -> HTTPResult { try HTTPTestClient.request(port: port, "GET", path) }

    /// `/api/snapshot` parsed.
    func snapshot(_ query: String = "") throws -> [String: Any] {
        let answer = try get("/api/snapshot" + (query.isEmpty ? "" : "?" + query))
        guard answer.status == 200 else { throw HTTPTestError(description: "snapshot: \(answer.status) \(answer.body)") }
        return answer.json
    }
}

/// Debian's headless Chromium (installed by scripts/setup.sh).
enum Chromium {
    static var binary: String? {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private static func run(_ arguments: [String]) throws -> String {
        guard let binary else { throw XCTSkip("chromium is not installed (scripts/setup.sh installs it)") }
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("fs-chromium-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        // Root in a container: no sandbox. No GPU, no first-run work.
        let child = try ChildProcess(executable: binary, arguments: [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--user-data-dir=\(profile.path)", "--hide-scrollbars",
        ] + arguments)
        guard let status = child.waitForExit(timeoutSeconds: 60) else {
            child.kill9()
            throw HTTPTestError(description: "chromium hung: \(arguments)")
        }
        guard status == 0 else { throw HTTPTestError(description: "chromium exited \(status): \(child.output().suffix(2000))") }
        return child.output()
    }

    /// The DOM after the page's scripts ran (`--dump-dom`).
    static func dom(_ url: String) throws -> String {
        try run(["--dump-dom", url])
    }

    /// A PNG of the page (`--screenshot`).
    static func screenshot(_ url: String, to path: String, width: Int = 1400, height: Int = 1500) throws {
        _ = try run(["--window-size=\(width),\(height)", "--screenshot=\(path)", url])
    }
}

/// Debian's `promtool` and `prometheus` (installed by scripts/setup.sh).
enum PrometheusTools {
    static func binary(_ name: String) throws -> String {
        guard let path = ["/usr/bin/\(name)", "/usr/local/bin/\(name)"].first(where: { FileManager.default.isExecutableFile(atPath: $0) })
        else { throw XCTSkip("\(name) is not installed (scripts/setup.sh installs it)") }
        return path
    }

    /// Runs promtool; returns (exit status, output).
    static func promtool(_ arguments: [String], stdinFile: String? = nil) throws -> (Int32, String) {
        let tool = try binary("promtool")
        let child: ChildProcess
        if let stdinFile {
            child = try ChildProcess(executable: "/bin/sh", arguments: ["-c", "exec \"$0\" \"$@\" < \"\(stdinFile)\"", tool] + arguments)
        } else {
            child = try ChildProcess(executable: tool, arguments: arguments)
        }
        guard let status = child.waitForExit(timeoutSeconds: 60) else { throw HTTPTestError(description: "promtool hung") }
        return (status, child.output())
    }

    /// `promtool check metrics` on a scrape: (status, output); no output = no warnings.
    static func checkMetrics(_ text: String) throws -> (Int32, String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("fs-scrape-\(UUID().uuidString).txt")
        try text.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return try promtool(["check", "metrics"], stdinFile: file.path)
    }
}

/// The repository root (for deploy/ and docs/).
func repositoryRoot() -> URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
}

extension HTTPTestClient {
    /// An HTTP/1.0 GET read until the server closes (no chunking, any length): status and body.
    static func getUntilClose(port: Int, path: String) throws -> (status: Int, body: String) {
        let text = try exchange(port: port, request: "GET \(path) HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", seconds: 10, untilClose: true)
        guard let split = text.range(of: "\r\n\r\n") else { throw HTTPTestError(description: "no HTTP answer from \(port)\(path)") }
        let statusLine = text[..<split.lowerBound].split(separator: "\r\n").first ?? ""
        let status = statusLine.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return (status, String(text[split.upperBound...]))
    }

    /// Sends a GET and returns whatever arrives within `seconds` (for streams that never end).
    static func streamPrefix(port: Int, path: String, seconds: Double) throws -> String {
        try exchange(port: port, request: "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n",
                     seconds: seconds, untilClose: false)
    }

    private static func exchange(port: Int, request text: String, seconds: Double, untilClose: Bool) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HTTPTestError(description: "socket failed") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw HTTPTestError(description: "connect to \(port) failed") }
        let request = Array(text.utf8)
        _ = request.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n == 0 { break }
            if n > 0 { received.append(contentsOf: buffer[0..<n]) } else if !untilClose && errno != EAGAIN && errno != EWOULDBLOCK { break }
        }
        return String(decoding: received, as: UTF8.self)
    }
}
