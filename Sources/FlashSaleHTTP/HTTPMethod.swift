/// An HTTP request method (RFC 9110 §9: the registered methods the server
/// knows; any other token is answered 501).
public enum HTTPMethod: Sendable, Hashable, CustomStringConvertible {
    case get, head, post, put, delete, patch, options, trace, connect
    /// Another method (the parser answers 501 to methods it does not know,
    /// so requests never carry this today; kept for callers that switch on it).
    case other(UInt8)

    /// The method of a token packed big-endian into `bits` (`length` bytes);
    /// `known` is false for a token that names none of the cases above.
    static func decode(bits: UInt64, length: Int) -> (method: HTTPMethod, known: Bool) {
        switch (length, bits) {
        case (3, 0x47_45_54): return (.get, true)
        case (4, 0x50_4F_53_54): return (.post, true)
        case (4, 0x48_45_41_44): return (.head, true)
        case (3, 0x50_55_54): return (.put, true)
        case (6, 0x44_45_4C_45_54_45): return (.delete, true)
        case (5, 0x50_41_54_43_48): return (.patch, true)
        case (7, 0x4F_50_54_49_4F_4E_53): return (.options, true)
        case (5, 0x54_52_41_43_45): return (.trace, true)
        case (7, 0x43_4F_4E_4E_45_43_54): return (.connect, true)
        default: return (.other(0), false)
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
