#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// One HTTP answer as a test sees it.
struct HTTPResult {
    var status: Int
    /// Header names lower-cased.
    var headers: [String: String]
    var body: String

    /// The body parsed as a JSON object (empty when it is not one).
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }

    /// `error.code` of an error body.
    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    /// `error.message` of an error body.
    var errorMessage: String? { (json["error"] as? [String: Any])?["message"] as? String }
}

struct HTTPTestError: Error, CustomStringConvertible {
    var description: String
}

/// A blocking HTTP/1.1 client over a raw socket: one request per connection
/// unless `send(raw:)` is used to write exact bytes (pipelining, bad requests).
enum HTTPTestClient {
    static func request(
        port: Int, _ method: String, _ path: String, headers: [String: String] = [:], body: String? = nil,
        timeoutSeconds: Int = 10, source: String = "127.0.0.1"
    ) throws -> HTTPResult {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.utf8.count)\r\n" }
        head += "\r\n"
        let raw = Array(head.utf8) + Array((body ?? "").utf8)
        let answers = try send(port: port, raw: raw, expectedResponses: 1, timeoutSeconds: timeoutSeconds, source: source)
        guard let first = answers.first else { throw HTTPTestError(description: "no answer to \(method) \(path)") }
        return first
    }

    /// A TCP socket from `source` (any 127.x.y.z is loopback on Linux) connected to
    /// 127.0.0.1:`port`, reads timing out after `receiveTimeout`.
    static func connectLoopback(port: Int, receiveTimeout: timeval, source: String = "127.0.0.1") throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw HTTPTestError(description: "socket failed") }
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_addr.s_addr = inet_addr(source)
        _ = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var timeout = receiveTimeout
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let why = String(cString: strerror(errno))
            close(fd)
            throw HTTPTestError(description: "connect to \(port) failed: \(why)")
        }
        return fd
    }

    /// Writes `raw` bytes on one connection and reads `expectedResponses` answers
    /// (or until the server closes).
    static func send(port: Int, raw: [UInt8], expectedResponses: Int, timeoutSeconds: Int = 10,
                     source: String = "127.0.0.1") throws -> [HTTPResult] {
        let fd = try connectLoopback(port: port, receiveTimeout: timeval(tv_sec: timeoutSeconds, tv_usec: 0), source: source)
        defer { close(fd) }
        var sent = 0
        while sent < raw.count {
            let n = raw[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { break } // the server may close early (e.g. 413); read what it said
            sent += n
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var results: [HTTPResult] = []
        while results.count < expectedResponses {
            if let (result, used) = parseOne(received) {
                results.append(result)
                received.removeFirst(used)
                continue
            }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            received.append(contentsOf: buffer[0..<n])
        }
        return results
    }

    private static func parseOne(_ bytes: [UInt8]) -> (HTTPResult, Int)? {
        guard bytes.count >= 4 else { return nil }
        var end = -1
        for index in 0...(bytes.count - 4) where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            end = index
            break
        }
        guard end >= 0 else { return nil }
        let head = String(decoding: bytes[0..<end], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusParts = lines.removeFirst().split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { return nil }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        guard bytes.count >= end + 4 + length else { return nil }
        let body = String(decoding: bytes[(end + 4)..<(end + 4 + length)], as: UTF8.self)
        return (HTTPResult(status: status, headers: headers, body: body), end + 4 + length)
    }
}
