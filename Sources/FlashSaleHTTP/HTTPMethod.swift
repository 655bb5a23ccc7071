/// An HTTP request method. Methods the parser knows but the router has no
/// special name for are `.other(code)`.
public enum HTTPMethod: Sendable, Hashable, CustomStringConvertible {
    case get, head, post, put, delete, patch, options, trace, connect
    /// Another method known to http_parser (its numeric code).
    case other(UInt8)

    /// Maps http_parser's `enum http_method` value.
    init(parserCode: UInt32) {
        switch parserCode {
        case 0: self = .delete
        case 1: self = .get
        case 2: self = .head
        case 3: self = .post
        case 4: self = .put
        case 5: self = .connect
        case 6: self = .options
        case 7: self = .trace
        case 28: self = .patch
        default: self = .other(UInt8(truncatingIfNeeded: parserCode))
        }
    }

    /// The method token, e.g. "GET".
    public var description: String {
        switch self {
        case .get: "GET"
        case .head: "HEAD"
        case .post: "POST"
        case .put: "PUT"
        case .delete: "DELETE"
        case .patch: "PATCH"
        case .options: "OPTIONS"
        case .trace: "TRACE"
        case .connect: "CONNECT"
        case .other(let code): "METHOD(\(code))"
        }
    }
}
