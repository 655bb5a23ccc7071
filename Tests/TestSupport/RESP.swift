/// A Redis reply as seen by the blocking test client.
public enum RESP: Equatable, Sendable {
    case null
    case status(String)
    case error(String)
    case integer(Int64)
    case bulk(String)
    case array([RESP])

    /// The integer value of an integer reply, or of a bulk/status reply holding digits.
    public var int: Int64? {
        switch self {
        case .integer(let v): return v
        case .bulk(let s), .status(let s): return Int64(s)
        default: return nil
        }
    }

    /// The text of a bulk/status reply (integers are rendered).
    public var string: String? {
        switch self {
        case .bulk(let s), .status(let s): return s
        case .integer(let v): return String(v)
        default: return nil
        }
    }

    /// The elements of an array reply (empty otherwise).
    public var elements: [RESP] {
        if case .array(let items) = self { return items }
        return []
    }

    /// A flat `[field: value]` view of an HGETALL-style array reply.
    public var hash: [String: String] {
        var out: [String: String] = [:]
        let items = elements
        var i = 0
        while i + 1 < items.count {
            if let k = items[i].string, let v = items[i + 1].string { out[k] = v }
            i += 2
        }
        return out
    }
}
