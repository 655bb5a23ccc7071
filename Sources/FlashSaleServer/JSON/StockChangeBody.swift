/// The body of `POST /v1/sales/{sale}/items/{sku}/stock`: `{"add": N}` or `{"remove": N}`.
///
/// Exactly one of the two fields, an integer 1…``maxUnits`` (no fraction or exponent);
/// unknown or duplicate fields are refused. Each problem is a ``BadRequest`` naming the field.
public enum StockChangeBody: Sendable, Equatable {
    /// The most units one change may add or remove (the largest stock of a SKU).
    public static let maxUnits: Int64 = 1_000_000_000

    case add(Int64)
    case remove(Int64)

    /// The signed change of `total` and the pool.
    public var delta: Int64 {
        switch self {
        case .add(let units): units
        case .remove(let units): -units
        }
    }

    /// The audit action: `stock_add` or `stock_remove`.
    public var action: String {
        switch self {
        case .add: "stock_add"
        case .remove: "stock_remove"
        }
    }

    /// Parses a stock change body; the error's message says what is wrong.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(BadRequest) -> StockChangeBody {
        let expected = "expected {\"add\": N} or {\"remove\": N}"
        guard !bytes.isEmpty else { throw BadRequest("request body is empty; \(expected)") }
        var scanner = JSONScanner(bytes)
        var add: Int64?
        var remove: Int64?
        do {
            guard try scanner.peek() == UInt8(ascii: "{") else { throw BadRequest("request body must be a JSON object; \(expected)") }
            try scanner.readObject { scanner, key in
                if scanner.tokenEquals(key, "add") {
                    guard add == nil else { throw BadRequest("duplicate field \"add\"") }
                    add = try readUnits(&scanner, "add")
                } else if scanner.tokenEquals(key, "remove") {
                    guard remove == nil else { throw BadRequest("duplicate field \"remove\"") }
                    remove = try readUnits(&scanner, "remove")
                } else {
                    throw BadRequest("unknown field; allowed fields are \"add\" and \"remove\"")
                }
            }
            guard scanner.onlyWhitespaceRemains() else { throw BadRequest("unexpected data after the JSON object") }
        } catch {
            throw BadRequest(thrown: error)
        }
        switch (add, remove) {
        case (let units?, nil): return .add(units)
        case (nil, let units?): return .remove(units)
        case (nil, nil): throw BadRequest("missing field: \(expected)")
        case (_?, _?): throw BadRequest("give exactly one of \"add\" and \"remove\"")
        }
    }

    /// Parses a stock change body held in an array.
    public static func parse(_ bytes: [UInt8]) throws(BadRequest) -> StockChangeBody {
        try bytes.withUnsafeBytes { raw in
            Result { () throws(BadRequest) -> StockChangeBody in try parse(raw) }
        }.get()
    }

    private static func readUnits(_ scanner: inout JSONScanner, _ name: String) throws -> Int64 {
        let next = try scanner.peek()
        guard next == UInt8(ascii: "-") || JSONScanner.isDigit(next) else { throw BadRequest("\"\(name)\" must be an integer") }
        switch try scanner.readNumber() {
        case .integer(let value):
            guard value >= 1, value <= maxUnits else {
                throw BadRequest("\"\(name)\" must be between 1 and \(maxUnits), got \(value)")
            }
            return value
        case .integerOverflow: throw BadRequest("\"\(name)\" is out of range (must be between 1 and \(maxUnits))")
        case .nonInteger: throw BadRequest("\"\(name)\" must be an integer without fraction or exponent")
        }
    }
}
