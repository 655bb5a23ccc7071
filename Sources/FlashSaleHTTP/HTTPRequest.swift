import CHTTPParser

/// A parsed request as its handler sees it: a view into the connection's
/// buffers, valid only during the handler call. Copy what an answer given
/// later needs (``HTTPBytes/string``, ``HTTPBytes/array``).
public struct HTTPRequest {
    unowned(unsafe) let connection: HTTPConnection

    init(connection: HTTPConnection) { self.connection = connection }

    /// The method (`HEAD` requests reach `GET` handlers; their body is dropped).
    public var method: HTTPMethod { connection.currentMethod }

    /// HTTP version, e.g. (1, 1).
    public var version: (major: Int, minor: Int) {
        (Int(connection.parser.pointee.http_major), Int(connection.parser.pointee.http_minor))
    }

    /// The raw request target (path and query).
    public var target: HTTPBytes { HTTPBytes(connection.request.base, connection.urlLength) }

    /// The path, without the query (still percent-encoded).
    public var path: HTTPBytes { HTTPBytes(connection.request.base + connection.pathStart, connection.pathLength) }

    /// The query string after `?` (empty if none).
    public var query: HTTPBytes { HTTPBytes(connection.request.base + connection.queryStart, connection.queryLength) }

    /// The body (de-chunked), empty if none.
    public var body: HTTPBytes { HTTPBytes(connection.request.base + connection.bodyStart, connection.bodyLength) }

    /// The first header named `name` (ASCII case-insensitive), value trimmed.
    public func header(_ name: StaticString) -> HTTPBytes? {
        let c = connection
        let base = UnsafeRawPointer(c.request.base)
        let wanted = name.utf8CodeUnitCount
        var i = 0
        while i < c.headerCount {
            let slot = c.headers[i]
            if Int(slot.nameLength) == wanted
                && asciiEqualIgnoringCase(base + Int(slot.nameStart), UnsafeRawPointer(name.utf8Start), wanted)
            {
                return HTTPBytes(base + Int(slot.valueStart), Int(slot.valueLength)).trimmed
            }
            i += 1
        }
        return nil
    }

    /// Number of header fields.
    public var headerCount: Int { connection.headerCount }

    /// Name and (trimmed) value of header `index` (0 ..< ``headerCount``), in arrival order.
    public func header(at index: Int) -> (name: HTTPBytes, value: HTTPBytes) {
        precondition(index >= 0 && index < connection.headerCount, "header index out of range")
        let slot = connection.headers[index]
        let base = UnsafeRawPointer(connection.request.base)
        return (HTTPBytes(base + Int(slot.nameStart), Int(slot.nameLength)),
                HTTPBytes(base + Int(slot.valueStart), Int(slot.valueLength)).trimmed)
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
        return HTTPBytes(connection.request.base + connection.pathStart + Int(range.start), Int(range.length))
    }

    /// The peer's address ("127.0.0.1:53412"); "" without a socket. Computed
    /// once per connection.
    public var remoteAddress: String {
        let c = connection
        if let cached = c.remoteAddressCache { return cached }
        let text = c.tcp?.remoteAddress() ?? ""
        c.remoteAddressCache = text
        return text
    }
}
