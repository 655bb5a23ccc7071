/// Handles one request: read what you need from `request` during the call
/// (it is a view into the connection's buffers), then answer through
/// `responder` now or later on the same loop thread.
public typealias HTTPHandler = (HTTPRequest, HTTPResponder) -> Void

/// Maps method + path to handlers. Patterns are literal segments and
/// `{name}` parameters, e.g. `/v1/sales/{sale}/purchases`.
///
/// One router per worker (built by the `makeRouter` closure given to
/// ``HTTPServer``), so handlers may capture loop-local state. A path that
/// matches a pattern with no handler for the method gets 405 (with `Allow`);
/// no match at all gets 404. `HEAD` falls back to the `GET` handler with the
/// body suppressed.
public final class HTTPRouter {
    struct Segment {
        /// Offset/length of the literal in `literals`; length -1 = a parameter.
        var offset: Int
        var length: Int
    }

    struct Pattern {
        var firstSegment: Int
        var segmentCount: Int
        var paramNames: [String]
        var methods: [(method: HTTPMethod, route: Int)]
        var allow: [UInt8]
    }

    struct Route {
        var handler: HTTPHandler
        var requiresJSON: Bool
    }

    static let maxParams = 8

    private(set) var literals: [UInt8] = []
    private(set) var segments: [Segment] = []
    private(set) var patterns: [Pattern] = []
    private(set) var routes: [Route] = []

    /// Called once per answer, on the loop thread, just before it is written: the index
    /// of the route that matched (what ``add(_:_:requiresJSON:_:)`` returned; nil when the
    /// server answered itself: 404, 405, 400, 408, 413, 431, …), the status, and the
    /// nanoseconds since the request was dispatched (0 for answers without a request,
    /// such as a timeout). One place for metrics of every answer.
    public var onAnswer: ((_ route: Int?, _ status: HTTPStatus, _ nanoseconds: UInt64) -> Void)?

    /// An empty router.
    public init() {}

    /// Adds a route. `requiresJSON`: requests must carry `Content-Type:
    /// application/json` (parameters allowed) or get 415.
    /// Returns the route's index (reported to ``onAnswer``).
    @discardableResult
    public func add(
        _ method: HTTPMethod, _ pattern: String, requiresJSON: Bool = false, _ handler: @escaping HTTPHandler
    ) -> Int {
        precondition(pattern.hasPrefix("/"), "route pattern must start with /: \(pattern)")
        let parts = pattern.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        var newSegments: [Segment] = []
        var names: [String] = []
        for part in parts {
            if part.hasPrefix("{") && part.hasSuffix("}") && part.count > 2 {
                names.append(String(part.dropFirst().dropLast()))
                newSegments.append(Segment(offset: 0, length: -1))
            } else {
                newSegments.append(Segment(offset: literals.count, length: part.utf8.count))
                literals.append(contentsOf: part.utf8)
            }
        }
        precondition(names.count <= HTTPRouter.maxParams, "too many parameters in \(pattern)")
        let routeIndex = routes.count
        routes.append(Route(handler: handler, requiresJSON: requiresJSON))
        // Same shape (literals and parameter positions) = same pattern.
        if let existing = patterns.firstIndex(where: { sameShape($0, newSegments) }) {
            precondition(!patterns[existing].methods.contains { $0.method == method }, "duplicate route \(method) \(pattern)")
            patterns[existing].methods.append((method, routeIndex))
            patterns[existing].allow = allowHeader(patterns[existing].methods.map(\.method))
            return routeIndex
        }
        let first = segments.count
        segments.append(contentsOf: newSegments)
        patterns.append(Pattern(
            firstSegment: first, segmentCount: newSegments.count, paramNames: names,
            methods: [(method, routeIndex)], allow: allowHeader([method])))
        return routeIndex
    }

    /// `add(.get, …)`.
    @discardableResult
    public func get(_ pattern: String, _ handler: @escaping HTTPHandler) -> Int { add(.get, pattern, handler) }
    /// `add(.post, …)`.
    @discardableResult
    public func post(_ pattern: String, requiresJSON: Bool = false, _ handler: @escaping HTTPHandler) -> Int {
        add(.post, pattern, requiresJSON: requiresJSON, handler)
    }
    /// `add(.put, …)`.
    @discardableResult
    public func put(_ pattern: String, requiresJSON: Bool = false, _ handler: @escaping HTTPHandler) -> Int {
        add(.put, pattern, requiresJSON: requiresJSON, handler)
    }

    private func sameShape(_ p: Pattern, _ other: [Segment]) -> Bool {
        guard p.segmentCount == other.count else { return false }
        for i in 0..<other.count {
            let a = segments[p.firstSegment + i]
            let b = other[i]
            if (a.length < 0) != (b.length < 0) { return false }
            if a.length >= 0 {
                if a.length != b.length { return false }
                for k in 0..<a.length where literals[a.offset + k] != literals[b.offset + k] { return false }
            }
        }
        return true
    }

    private func allowHeader(_ methods: [HTTPMethod]) -> [UInt8] {
        var names = methods.map(\.description)
        if methods.contains(.get) && !methods.contains(.head) { names.append("HEAD") }
        return Array("Allow: \(names.joined(separator: ", "))\r\n".utf8)
    }

    /// Result of matching a path.
    enum Match {
        case route(Int, pattern: Int)
        case methodNotAllowed(pattern: Int)
        case notFound
    }

    /// Matches `path` (the request target up to `?`); on a pattern match the
    /// parameter ranges (offsets relative to `path`) go to `params`.
    func match(method: HTTPMethod, path: UnsafeRawBufferPointer, params: UnsafeMutablePointer<(start: Int32, length: Int32)>) -> Match {
        let count = path.count
        guard count > 0, let base = path.baseAddress, base.load(as: UInt8.self) == 0x2F else { return .notFound }
        return literals.withUnsafeBufferPointer { lit in
            segments.withUnsafeBufferPointer { segs in
                for patternIndex in 0..<patterns.count {
                    let first = patterns[patternIndex].firstSegment
                    let segmentCount = patterns[patternIndex].segmentCount
                    var pos = 1
                    var seg = 0
                    var paramCount = 0
                    var ok = true
                    while seg < segmentCount {
                        // This segment of the path: [pos, end).
                        guard pos <= count else { ok = false; break }
                        var end = pos
                        while end < count && base.load(fromByteOffset: end, as: UInt8.self) != 0x2F { end += 1 }
                        let spec = segs[first + seg]
                        if spec.length < 0 {
                            if end == pos { ok = false; break }
                            params[paramCount] = (Int32(pos), Int32(end - pos))
                            paramCount += 1
                        } else {
                            if end - pos != spec.length { ok = false; break }
                            var k = 0
                            while k < spec.length {
                                if base.load(fromByteOffset: pos + k, as: UInt8.self) != lit[spec.offset + k] { ok = false; break }
                                k += 1
                            }
                            if !ok { break }
                        }
                        seg += 1
                        pos = end + 1
                        if end == count && seg < segmentCount { ok = false; break }
                    }
                    // The whole path must be consumed (no trailing segments).
                    guard ok, pos == count + 1 else { continue }
                    let methods = patterns[patternIndex].methods
                    for entry in methods where entry.method == method { return .route(entry.route, pattern: patternIndex) }
                    if method == .head {
                        for entry in methods where entry.method == .get { return .route(entry.route, pattern: patternIndex) }
                    }
                    return .methodNotAllowed(pattern: patternIndex)
                }
                return .notFound
            }
        }
    }
}
