/// A Redis reply, decoded into Swift values (no hiredis types).
public enum RedisValue: Sendable, Equatable {
    /// A null bulk string or null array.
    case null
    /// A simple status reply such as `OK`.
    case status(String)
    /// An error reply, e.g. `NOSCRIPT No matching script`.
    case error(String)
    /// An integer reply.
    case integer(Int64)
    /// A bulk string (decoded as UTF-8; FlashSale stores only text).
    case bulk(String)
    /// An array reply.
    case array([RedisValue])
}

extension RedisValue {
    /// The integer value of an integer reply or of a bulk string holding digits.
    public var int: Int64? {
        switch self {
        case .integer(let value): return value
        case .bulk(let text), .status(let text): return Int64(text)
        default: return nil
        }
    }

    /// The text of a bulk or status reply.
    public var string: String? {
        switch self {
        case .bulk(let text), .status(let text): return text
        case .integer(let value): return String(value)
        default: return nil
        }
    }

    /// The elements of an array reply (empty for null).
    public var elements: [RedisValue] {
        switch self {
        case .array(let items): return items
        default: return []
        }
    }
}
