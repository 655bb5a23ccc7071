import CLibUV

/// A numeric IPv4/IPv6 socket address (no DNS: "localhost" is 127.0.0.1).
struct SocketAddress {
    var storage = sockaddr_storage()

    /// Parses `host` ("127.0.0.1", "0.0.0.0", "::1", "::", "localhost") and `port`.
    init(host: String, port: Int, operation: String) throws(TCPError) {
        guard (0...65535).contains(port) else {
            throw TCPError(code: UV_EINVAL.rawValue, operation: "\(operation): port \(port)")
        }
        let name = host == "localhost" ? "127.0.0.1" : host
        var rc: Int32 = UV_EINVAL.rawValue
        withUnsafeMutableBytes(of: &storage) { raw in
            if name.contains(":") {
                rc = uv_ip6_addr(name, Int32(port), raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self))
            } else {
                rc = uv_ip4_addr(name, Int32(port), raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self))
            }
        }
        if rc != 0 { throw TCPError(code: rc, operation: "\(operation): address \(host)") }
    }

    init(storage: sockaddr_storage) { self.storage = storage }

    var family: Int32 { Int32(storage.ss_family) }

    func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>) -> R) -> R {
        withUnsafeBytes(of: storage) { body($0.baseAddress!.assumingMemoryBound(to: sockaddr.self)) }
    }

    /// "127.0.0.1:8080" or "[::1]:8080".
    var text: String {
        withUnsafeBytes(of: storage) { raw -> String in
            var name = [CChar](repeating: 0, count: 64)
            if family == AF_INET6 {
                let sa = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self)
                uv_ip6_name(sa, &name, name.count)
                return "[\(String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))]:\(UInt16(bigEndian: sa.pointee.sin6_port))"
            }
            let sa = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self)
            uv_ip4_name(sa, &name, name.count)
            return "\(String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)):\(UInt16(bigEndian: sa.pointee.sin_port))"
        }
    }

    /// The address without its port (IPv4 as IPv4-mapped).
    var ipAddress: IPAddress? {
        withUnsafeBytes(of: storage) { raw -> IPAddress? in
            if family == AF_INET6 {
                let sa = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self)
                return withUnsafeBytes(of: sa.pointee.sin6_addr) { IPAddress(networkBytes: $0) }
            }
            guard family == AF_INET else { return nil }
            let sa = raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self)
            return IPAddress(ipv4: UInt32(bigEndian: sa.pointee.sin_addr.s_addr))
        }
    }

    var port: Int {
        withUnsafeBytes(of: storage) { raw in
            family == AF_INET6
                ? Int(UInt16(bigEndian: raw.baseAddress!.assumingMemoryBound(to: sockaddr_in6.self).pointee.sin6_port))
                : Int(UInt16(bigEndian: raw.baseAddress!.assumingMemoryBound(to: sockaddr_in.self).pointee.sin_port))
        }
    }
}

extension UnsafeMutablePointer<uv_tcp_t> {
    var asHandle: UnsafeMutablePointer<uv_handle_t> {
        UnsafeMutableRawPointer(self).assumingMemoryBound(to: uv_handle_t.self)
    }
    var asStream: UnsafeMutablePointer<uv_stream_t> {
        UnsafeMutableRawPointer(self).assumingMemoryBound(to: uv_stream_t.self)
    }
}
