#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Errors of the blocking test client.
public struct BlockingRedisError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A tiny synchronous RESP client over a socket, for tests and checks.
/// Not for production paths (the engine uses FlashSaleRedis' async client).
public final class BlockingRedis {
    private var fd: Int32
    private var buffer: [UInt8] = []
    private var position = 0

    /// Connects to `host:port` (IPv4), with send/receive timeouts.
    public init(port: Int, host: String = "127.0.0.1", timeoutSeconds: Int = 5) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw BlockingRedisError("socket() failed: errno \(errno)") }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &addr.sin_addr)
        var tv = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if rc != 0 {
            let err = errno
            Glibc.close(fd)
            throw BlockingRedisError("connect to \(host):\(port) failed: errno \(err)")
        }
    }

    deinit { close() }

    /// Closes the connection.
    public func close() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
    }

    /// Sends one command and reads its reply. Error replies are returned as `.error`.
    @discardableResult
    public func command(_ args: String...) throws -> RESP { try command(args) }

    /// Sends one command and reads its reply.
    @discardableResult
    public func command(_ args: [String]) throws -> RESP {
        try pipeline([args])[0]
    }

    /// `EVAL source numkeys keys... args...`.
    public func eval(_ source: String, keys: [String], args: [String]) throws -> RESP {
        try command(["EVAL", source, String(keys.count)] + keys + args)
    }

    /// Sends all commands in one write, then reads all replies in order.
    public func pipeline(_ commands: [[String]]) throws -> [RESP] {
        var out: [UInt8] = []
        for args in commands {
            out.append(contentsOf: Array("*\(args.count)\r\n".utf8))
            for arg in args {
                let bytes = Array(arg.utf8)
                out.append(contentsOf: Array("$\(bytes.count)\r\n".utf8))
                out.append(contentsOf: bytes)
                out.append(contentsOf: [13, 10])
            }
        }
        try writeAll(out)
        return try commands.map { _ in try readReply() }
    }

    private func writeAll(_ bytes: [UInt8]) throws {
        guard fd >= 0 else { throw BlockingRedisError("connection closed") }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { throw BlockingRedisError("send failed: errno \(errno)") }
            offset += n
        }
    }

    private func fill() throws {
        if position > 0 && position == buffer.count { buffer.removeAll(keepingCapacity: true); position = 0 }
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n <= 0 { throw BlockingRedisError(n == 0 ? "connection closed by server" : "recv failed: errno \(errno)") }
        buffer.append(contentsOf: chunk[0..<n])
    }

    private func readLine() throws -> String {
        while true {
            if let cr = buffer[position...].firstIndex(of: 13), cr + 1 < buffer.count, buffer[cr + 1] == 10 {
                let line = String(decoding: buffer[position..<cr], as: UTF8.self)
                position = cr + 2
                return line
            }
            try fill()
        }
    }

    private func readBytes(_ count: Int) throws -> String {
        while buffer.count - position < count + 2 { try fill() }
        let text = String(decoding: buffer[position..<position + count], as: UTF8.self)
        position += count + 2
        return text
    }

    private func readReply() throws -> RESP {
        let line = try readLine()
        guard let kind = line.first else { throw BlockingRedisError("empty reply line") }
        let rest = String(line.dropFirst())
        switch kind {
        case "+": return .status(rest)
        case "-": return .error(rest)
        case ":": return .integer(Int64(rest) ?? 0)
        case "$":
            let n = Int(rest) ?? -1
            return n < 0 ? .null : .bulk(try readBytes(n))
        case "*":
            let n = Int(rest) ?? -1
            if n < 0 { return .null }
            var items: [RESP] = []
            items.reserveCapacity(n)
            for _ in 0..<n { items.append(try readReply()) }
            return .array(items)
        default:
            throw BlockingRedisError("bad reply type \(kind)")
        }
    }
}
