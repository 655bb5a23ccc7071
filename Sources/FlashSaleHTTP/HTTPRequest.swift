import FlashSaleLoop

/// A parsed request as its handler sees it: a view into the connection's
/// buffers, valid only during the handler call. Copy what an answer given
/// later needs (``HTTPBytes/string``, ``HTTPBytes/array``).
public struct HTTPRequest {
    unowned(unsafe) let connection: HTTPConnection

    init(connection: HTTPConnection) { self.connection = connection }

    /// The method (`HEAD` requests reach `GET` handlers; their body is dropped).
    public var method: HTTPMethod { connection.parser.method }

    /// HTTP version, e.g. (1, 1).
    public var version: (major: Int, minor: Int) {
        (1, connection.parser.versionMinor)
    }

    /// The raw request target (path and query).
    public var target: HTTPBytes { HTTPBytes(connection.parser.request.base, connection.parser.targetLength) }

    /// The path, without the query (still percent-encoded).
    public var path: HTTPBytes { HTTPBytes(connection.parser.request.base + connection.pathStart, connection.pathLength) }

    /// The query string after `?` (empty if none).
    public var query: HTTPBytes { HTTPBytes(connection.parser.request.base + connection.queryStart, connection.queryLength) }

    /// The body (de-chunked), empty if none.
    public var body: HTTPBytes {
        let parser = connection.parser
        return HTTPBytes(parser.request.base + parser.bodyStart, parser.bodyLength)
    }

    /// The first header named `name` (ASCII case-insensitive), value trimmed.
    public func header(_ name: StaticString) -> HTTPBytes? {
        let parser = connection.parser
        let base = UnsafeRawPointer(parser.request.base)
        let wanted = name.utf8CodeUnitCount
        var i = 0
        while i < parser.headerCount {
            let slot = parser.headerSlots[i]
            if Int(slot.nameLength) == wanted
                && asciiEqualIgnoringCase(base + Int(slot.nameStart), UnsafeRawPointer(name.utf8Start), wanted)
            {
                return HTTPBytes(base + Int(slot.valueStart), Int(slot.valueLength))
            }
            i += 1
        }
        return nil
    }

    /// Number of header fields.
    public var headerCount: Int { connection.parser.headerCount }

    /// Name and (trimmed) value of header `index` (0 ..< ``headerCount``), in arrival order.
    public func header(at index: Int) -> (name: HTTPBytes, value: HTTPBytes) {
        let parser = connection.parser
        precondition(index >= 0 && index < parser.headerCount, "header index out of range")
        let slot = parser.headerSlots[index]
        let base = UnsafeRawPointer(parser.request.base)
        return (HTTPBytes(base + Int(slot.nameStart), Int(slot.nameLength)),
                HTTPBytes(base + Int(slot.valueStart), Int(slot.valueLength)))
    }

    /// The path parameter `{name}` of the matched route (raw, percent-encoded).
    public func parameter(_ name: String) -> HTTPBytes? {
        let names = connection.worker.router.patterns[connection.matchedPattern].paramNames
        guard let index = names.firstIndex(of: name) else { return nil }
        return parameter(at: index)
    }

    /// The `index`-th path parameter of the matched route, left to right.
    public func parameter(at index: Int) -> HTTPBytes? {
        let names = connection.worker.router.patterns[connection.matchedPattern].paramNames
        guard index >= 0 && index < names.count else { return nil }
        let range = connection.params[index]
        return HTTPBytes(connection.parser.request.base + connection.pathStart + Int(range.start), Int(range.length))
    }

    /// The client's address: the TCP peer, or the source its PROXY protocol header
    /// names, or — when that is a trusted proxy (``HTTPServerConfiguration/trustedProxies``)
    /// — the right-most untrusted address of `X-Forwarded-For` (else `Forwarded`). What
    /// rate limits key on and audit entries record. No allocation.
    public var clientAddress: IPAddress {
        let c = connection
        let peer: IPAddress
        if let known = c.peer {
            peer = known
        } else {
            peer = c.tcp?.remoteIPAddress() ?? .unspecified
            c.peer = peer
        }
        guard c.peerTrusted else { return peer }
        return ForwardedFor.resolve(self, peer: peer, trusted: c.worker.configuration.trustedProxies)
    }
}
