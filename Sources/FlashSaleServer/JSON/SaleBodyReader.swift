import FlashSaleCore

/// Reads the fields of a sale body with ``JSONScanner`` so that every type
/// and range problem gets a message naming the field (Foundation's decoder
/// reports an out-of-range or fractional integer only as "not valid JSON").
struct SaleBodyReader {
    struct Wire {
        var startsAt = ""
        var endsAt = ""
        var perUserLimit: Int64 = 0
        var reservationTTL: Int64 = 0
        var items: [SaleBody.Item] = []
        /// nil when the body has no `currency` (a sale without prices).
        var currency: String?
        /// Whether any item had a `price`.
        var anyPrice = false
    }

    private var scanner: JSONScanner

    init(_ scanner: JSONScanner) {
        self.scanner = scanner
    }

    private static let fields = ["starts_at", "ends_at", "per_user_limit", "reservation_ttl_s", "items"]
    private static let optionalFields = ["currency"]

    mutating func readTop() throws -> Wire {
        guard try scanner.peek() == UInt8(ascii: "{") else { throw BadRequest("request body must be a JSON object") }
        var wire = Wire()
        var seen = Set<String>()
        try readObject { reader, key throws in
            guard Self.fields.contains(key) || Self.optionalFields.contains(key) else {
                throw BadRequest("unknown field \"\(key)\"")
            }
            guard seen.insert(key).inserted else { throw BadRequest("duplicate field \"\(key)\"") }
            switch key {
            case "starts_at": wire.startsAt = try reader.readString(key)
            case "ends_at": wire.endsAt = try reader.readString(key)
            case "per_user_limit": wire.perUserLimit = try reader.readInteger(key)
            case "reservation_ttl_s": wire.reservationTTL = try reader.readInteger(key)
            case "currency": wire.currency = try reader.readString(key)
            default: (wire.items, wire.anyPrice) = try reader.readItems()
            }
        }
        guard scanner.onlyWhitespaceRemains() else { throw BadRequest("unexpected data after the JSON object") }
        if let missing = Self.fields.first(where: { !seen.contains($0) }) {
            throw BadRequest("missing field \"\(missing)\"")
        }
        return wire
    }

    /// The items, and whether any had a `price` (absent: 0, a sale without prices).
    private mutating func readItems() throws -> ([SaleBody.Item], Bool) {
        guard try scanner.peek() == UInt8(ascii: "[") else { throw BadRequest("items must be an array") }
        try scanner.expect(UInt8(ascii: "["))
        var items: [SaleBody.Item] = []
        var anyPrice = false
        if try scanner.consume(UInt8(ascii: "]")) { return (items, anyPrice) }
        repeat {
            let index = items.count
            guard index < SaleBody.maxItems else {
                throw BadRequest("items may hold at most \(SaleBody.maxItems) SKUs")
            }
            guard try scanner.peek() == UInt8(ascii: "{") else { throw BadRequest("items[\(index)] must be an object") }
            var sku: String?
            var stock: Int64?
            var price: Int64?
            try readObject { reader, key throws in
                switch key {
                case "sku":
                    guard sku == nil else { throw BadRequest("duplicate field \"sku\" in items[\(index)]") }
                    sku = try reader.readString("items[\(index)].sku")
                case "stock":
                    guard stock == nil else { throw BadRequest("duplicate field \"stock\" in items[\(index)]") }
                    stock = try reader.readInteger("items[\(index)].stock")
                case "price":
                    guard price == nil else { throw BadRequest("duplicate field \"price\" in items[\(index)]") }
                    let value = try reader.readInteger("items[\(index)].price")
                    guard (1...SaleConfig.maxPrice).contains(value) else {
                        throw BadRequest("items[\(index)].price must be an integer between 1 and \(SaleConfig.maxPrice) (minor units), got \(value)")
                    }
                    price = value
                default:
                    throw BadRequest("unknown field \"\(key)\" in items[\(index)]")
                }
            }
            guard let sku else { throw BadRequest("missing field \"sku\" in items[\(index)]") }
            guard let stock else { throw BadRequest("missing field \"stock\" in items[\(index)]") }
            if price != nil { anyPrice = true }
            items.append(SaleBody.Item(sku: sku, stock: Int(stock), price: price ?? 0))
        } while try scanner.consume(UInt8(ascii: ","))
        try scanner.expect(UInt8(ascii: "]"))
        return (items, anyPrice)
    }

    private mutating func readObject(_ field: (inout SaleBodyReader, String) throws -> Void) throws {
        try scanner.expect(UInt8(ascii: "{"))
        if try scanner.consume(UInt8(ascii: "}")) { return }
        repeat {
            let token = try scanner.readString()
            let key = Self.text(scanner.slice(token))
            try scanner.expect(UInt8(ascii: ":"))
            try field(&self, key)
        } while try scanner.consume(UInt8(ascii: ","))
        try scanner.expect(UInt8(ascii: "}"))
    }

    private mutating func readString(_ name: String) throws -> String {
        guard try scanner.peek() == UInt8(ascii: "\"") else { throw BadRequest("\(name) must be a string") }
        let token = try scanner.readString()
        // None of these strings (dates, SKUs) has a character that needs escaping.
        guard !token.hasEscapes else { throw BadRequest("\(name) must not contain escape sequences") }
        return Self.text(scanner.slice(token))
    }

    private mutating func readInteger(_ name: String) throws -> Int64 {
        let next = try scanner.peek()
        guard next == UInt8(ascii: "-") || JSONScanner.isDigit(next) else { throw BadRequest("\(name) must be an integer") }
        switch try scanner.readNumber() {
        case .integer(let value): return value
        case .integerOverflow: throw BadRequest("\(name) is out of range")
        case .nonInteger: throw BadRequest("\(name) must be an integer without fraction or exponent")
        }
    }

    private static func text(_ raw: UnsafeRawBufferPointer) -> String {
        String(decoding: raw, as: UTF8.self)
    }
}
