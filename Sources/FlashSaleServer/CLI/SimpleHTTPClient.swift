import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A minimal blocking HTTP/1.1 client for the command line (`flashsale sale
/// put|get`): one request per connection (`Connection: close`), plain HTTP.
public struct SimpleHTTPClient: Sendable {
    /// An answer.
    public struct Response: Sendable {
        public var status: Int
        public var headers: [(String, String)]
        public var body: [UInt8]

        /// The body as text.
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Why a request failed before an answer arrived.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public let host: String
    public let port: Int

    /// A client for `http://host:port`.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// A client for a base URL such as `http://127.0.0.1:8080`.
    public init(baseURL: String) throws(Failure) {
        var rest = Substring(baseURL)
        guard rest.hasPrefix("http://") else { throw Failure(description: "engine URL must start with http:// (got \(baseURL))") }
        rest = rest.dropFirst("http://".count)
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        let parts = rest.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count <= 2, !parts[0].isEmpty else { throw Failure(description: "bad engine URL \(baseURL)") }
        var port = 80
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), (1...65535).contains(parsed) else { throw Failure(description: "bad port in \(baseURL)") }
            port = parsed
        }
        self.init(host: String(parts[0]), port: port)
    }

    /// Sends one request and reads the whole answer.
    public func send(method: String, path: String, headers: [(String, String)] = [], body: [UInt8] = [],
                     timeoutSeconds: Int = 10) throws(Failure) -> Response {
        let fd = try connect(timeoutSeconds: timeoutSeconds)
        defer { close(fd) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "PUT" || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        var request = Array(head.utf8)
        request.append(contentsOf: body)
        var sent = 0
        while sent < request.count {
            let written = request[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written > 0 else { throw Failure(description: "write failed: \(String(cString: strerror(errno)))") }
            sent += written
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 { throw Failure(description: "read failed: \(String(cString: strerror(errno)))") }
            if count == 0 { break }
            received.append(contentsOf: buffer[0..<count])
            if let response = Self.parse(received, complete: false) { return response }
        }
        guard let response = Self.parse(received, complete: true) else {
            throw Failure(description: "no valid HTTP answer from \(host):\(port)")
        }
        return response
    }

    private func connect(timeoutSeconds: Int) throws(Failure) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
            throw Failure(description: "cannot resolve \(host)")
        }
        defer { freeaddrinfo(list) }
        var current: UnsafeMutablePointer<addrinfo>? = first
        var lastError = "connection refused"
        while let info = current {
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if fd >= 0 {
                var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return fd }
                lastError = String(cString: strerror(errno))
                close(fd)
            }
            current = info.pointee.ai_next
        }
        throw Failure(description: "cannot connect to \(host):\(port): \(lastError)")
    }

    /// Parses a response once complete (by Content-Length, or at EOF when `complete`).
    static func parse(_ bytes: [UInt8], complete: Bool) -> Response? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= 4, let end = (0...(bytes.count - 4)).first(where: { Array(bytes[$0..<($0 + 4)]) == separator }) else {
            return nil
        }
        let head = String(decoding: bytes[0..<end], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { return nil }
        var headers: [(String, String)] = []
        var length: Int?
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers.append((name, value))
            if name.lowercased() == "content-length" { length = Int(value) }
        }
        let bodyStart = end + 4
        if let length {
            guard bytes.count >= bodyStart + length else { return nil }
            return Response(status: status, headers: headers, body: Array(bytes[bodyStart..<(bodyStart + length)]))
        }
        guard complete else { return nil }
        return Response(status: status, headers: headers, body: Array(bytes[bodyStart...]))
    }
}
