import Foundation

/// A sale as an admin defines it with `PUT /v1/sales/{sale}`.
///
/// Body: `{"starts_at":"RFC 3339","ends_at":"RFC 3339","per_user_limit":1,
/// "reservation_ttl_s":600,"items":[{"sku":"…","stock":10000}]}`. Admin
/// writes are rare, so Foundation's JSONDecoder is used here. Rules (also in
/// docs/api.md): all fields required, unknown fields rejected; `ends_at` after
/// `starts_at`; `per_user_limit` 1…``maxPerUserLimit``; `reservation_ttl_s`
/// 1…``maxReservationTTL``; 1…``maxItems`` items with unique valid SKUs and
/// `stock` 0…``maxStock``.
public struct SaleDefinition: Sendable, Equatable {
    public static let maxPerUserLimit = 1_000_000
    public static let maxReservationTTL = 86_400
    public static let maxItems = 1_000
    public static let maxStock: Int64 = 1_000_000_000

    /// One SKU and its stock.
    public struct Item: Sendable, Equatable {
        public var sku: String
        public var stock: Int64

        public init(sku: String, stock: Int64) {
            self.sku = sku
            self.stock = stock
        }
    }

    /// Start, Unix milliseconds.
    public var startsAtMillis: Int64
    /// End, Unix milliseconds.
    public var endsAtMillis: Int64
    /// Units one user may hold per SKU (reserved + paid).
    public var perUserLimit: Int
    /// Seconds a reservation waits for payment.
    public var reservationTTLSeconds: Int
    /// The SKUs on sale, in the order given.
    public var items: [Item]

    /// Creates a definition (not validated; use ``parse(_:)`` for input).
    public init(startsAtMillis: Int64, endsAtMillis: Int64, perUserLimit: Int, reservationTTLSeconds: Int, items: [Item]) {
        self.startsAtMillis = startsAtMillis
        self.endsAtMillis = endsAtMillis
        self.perUserLimit = perUserLimit
        self.reservationTTLSeconds = reservationTTLSeconds
        self.items = items
    }

    private struct Wire: Decodable {
        var starts_at: String
        var ends_at: String
        var per_user_limit: Int
        var reservation_ttl_s: Int
        var items: [WireItem]
    }

    private struct WireItem: Decodable {
        var sku: String
        var stock: Int64
    }

    private static let topFields: Set<String> = ["starts_at", "ends_at", "per_user_limit", "reservation_ttl_s", "items"]
    private static let itemFields: Set<String> = ["sku", "stock"]

    /// Parses and validates a sale body; the error says what is wrong.
    public static func parse(_ body: [UInt8]) throws(BadRequest) -> SaleDefinition {
        guard !body.isEmpty else { throw BadRequest("request body is empty; expected a sale definition") }
        let data = Data(body)
        // Unknown fields first: a misspelt field must not be silently ignored.
        guard let object = try? JSONSerialization.jsonObject(with: data) else {
            throw BadRequest("malformed JSON")
        }
        guard let top = object as? [String: Any] else { throw BadRequest("request body must be a JSON object") }
        if let unknown = top.keys.sorted().first(where: { !topFields.contains($0) }) {
            throw BadRequest("unknown field \"\(unknown)\"")
        }
        if let missing = topFields.sorted().first(where: { top[$0] == nil }) {
            throw BadRequest("missing field \"\(missing)\"")
        }
        if let items = top["items"] as? [Any] {
            for (index, item) in items.enumerated() {
                guard let fields = item as? [String: Any] else { throw BadRequest("items[\(index)] must be an object") }
                if let unknown = fields.keys.sorted().first(where: { !itemFields.contains($0) }) {
                    throw BadRequest("unknown field \"\(unknown)\" in items[\(index)]")
                }
            }
        }
        let wire: Wire
        do {
            wire = try JSONDecoder().decode(Wire.self, from: data)
        } catch let DecodingError.typeMismatch(type, context) {
            throw BadRequest("\(path(context.codingPath)) must be \(describe(type))")
        } catch let DecodingError.valueNotFound(type, context) {
            throw BadRequest("\(path(context.codingPath)) must be \(describe(type)), not null")
        } catch let DecodingError.keyNotFound(key, context) {
            throw BadRequest("missing field \"\(path(context.codingPath + [key]))\"")
        } catch let DecodingError.dataCorrupted(context) {
            // Numbers that do not fit (e.g. 1e30 or 99999999999999999999) land here.
            throw BadRequest("\(path(context.codingPath)) is out of range or not valid")
        } catch {
            throw BadRequest("malformed sale definition")
        }
        return try validate(wire)
    }

    private static func validate(_ wire: Wire) throws(BadRequest) -> SaleDefinition {
        guard let starts = RFC3339.parse(wire.starts_at) else {
            throw BadRequest("starts_at must be an RFC 3339 date-time such as 2025-06-01T12:00:00Z")
        }
        guard let ends = RFC3339.parse(wire.ends_at) else {
            throw BadRequest("ends_at must be an RFC 3339 date-time such as 2025-06-01T13:00:00Z")
        }
        guard ends > starts else { throw BadRequest("ends_at must be after starts_at") }
        guard (1...maxPerUserLimit).contains(wire.per_user_limit) else {
            throw BadRequest("per_user_limit must be between 1 and \(maxPerUserLimit)")
        }
        guard (1...maxReservationTTL).contains(wire.reservation_ttl_s) else {
            throw BadRequest("reservation_ttl_s must be between 1 and \(maxReservationTTL)")
        }
        guard !wire.items.isEmpty else { throw BadRequest("items must not be empty") }
        guard wire.items.count <= maxItems else { throw BadRequest("items may hold at most \(maxItems) SKUs") }
        var seen = Set<String>()
        var items: [Item] = []
        items.reserveCapacity(wire.items.count)
        for (index, item) in wire.items.enumerated() {
            guard IdentifierRules.isValidName(item.sku) else {
                throw BadRequest("items[\(index)].sku must be 1 to 64 of letters, digits, '.', '_' and '-'")
            }
            guard seen.insert(item.sku).inserted else { throw BadRequest("items[\(index)].sku \"\(item.sku)\" is listed twice") }
            guard (0...maxStock).contains(item.stock) else {
                throw BadRequest("items[\(index)].stock must be between 0 and \(maxStock)")
            }
            items.append(Item(sku: item.sku, stock: item.stock))
        }
        return SaleDefinition(
            startsAtMillis: starts, endsAtMillis: ends, perUserLimit: wire.per_user_limit,
            reservationTTLSeconds: wire.reservation_ttl_s, items: items)
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        var text = ""
        for key in keys {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return text.isEmpty ? "body" : text
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Int64.Type: return "an integer"
        case is [WireItem].Type: return "an array"
        default: return "an object"
        }
    }

    /// The definition as the JSON body of a `PUT` (for the CLI and tests).
    public func jsonBody() -> [UInt8] {
        var json = JSONBuffer()
        json.object { object in
            object.key("starts_at")
            object.timestamp(millis: startsAtMillis)
            object.key("ends_at")
            object.timestamp(millis: endsAtMillis)
            object.field("per_user_limit", integer: perUserLimit)
            object.field("reservation_ttl_s", integer: reservationTTLSeconds)
            object.key("items")
            object.array { array in
                for item in items {
                    array.object { entry in
                        entry.field("sku", string: item.sku)
                        entry.field("stock", integer: item.stock)
                    }
                }
            }
        }
        return json.bytes
    }
}
