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

extension RedisValue {
    /// Field/value pairs of a flat array reply (`HGETALL`, `XINFO`, stream entries), in
    /// order; integers become text, other elements are skipped.
    public var fieldPairs: [(String, String)] {
        let items = elements
        var out: [(String, String)] = []
        out.reserveCapacity(items.count / 2)
        var index = 0
        while index + 1 < items.count {
            if let field = items[index].string, let value = items[index + 1].string { out.append((field, value)) }
            index += 2
        }
        return out
    }

    /// The same as a dictionary (the first of repeated fields wins).
    public var fields: [String: String] {
        Dictionary(fieldPairs, uniquingKeysWith: { first, _ in first })
    }
}
