/// The body of `POST /v1/sales/{sale}/items/{sku}/stock`: `{"add": N}` or `{"remove": N}`.
///
/// Exactly one of the two fields, an integer 1…``maxUnits`` (no fraction or exponent);
/// unknown or duplicate fields are refused. Each problem is a ``BadRequest`` naming the field.
public enum StockChangeBody: Sendable, Equatable {
    /// The most units one change may add or remove (the largest stock of a SKU).
    public static let maxUnits: Int64 = 1_000_000_000

    /// `{"add": N}`: N more units.
    case add(Int64)
    /// `{"remove": N}`: N units fewer (taken from the pool only).
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
        let expected = "{\"add\": N} or {\"remove\": N}"
        var add: Int64?
        var remove: Int64?
        try JSONScanner.readObjectBody(bytes, names: ["add", "remove"], expected: expected) { scanner, field in
            if field == 0 { add = try readUnits(&scanner, "add") } else { remove = try readUnits(&scanner, "remove") }
        }
        switch (add, remove) {
        case (let units?, nil): return .add(units)
        case (nil, let units?): return .remove(units)
        case (nil, nil): throw BadRequest("missing field: expected \(expected)")
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
