/// One entry of `fs:{S}:events` in schema 2 (docs/redis-schema.md): one event type, its
/// time and the sale's currency, and one or more orders (field = order id, value =
/// `<sku> <user> <qty> <amount>` plus what the type adds).
public struct OrderEventEntry: Sendable, Equatable {
    /// One order of the entry.
    public struct Order: Sendable, Equatable {
        /// The order id.
        public var id: String
        /// The value's space-separated tokens: sku, user, qty, amount, then the type's own.
        public var tokens: [String]

        /// The SKU.
        public var sku: String { tokens.count > 0 ? tokens[0] : "" }
        /// The buyer.
        public var user: String { tokens.count > 1 ? tokens[1] : "" }
        /// Units.
        public var quantity: Int64 { tokens.count > 2 ? Int64(tokens[2]) ?? 0 : 0 }
        /// price × qty in minor units.
        public var amount: Int64 { tokens.count > 3 ? Int64(tokens[3]) ?? 0 : 0 }
    }

    /// The field names every entry has; every other field is an order id, except the
    /// fields of a `lease_reaped` entry, which carries no orders.
    public static let headerFields: Set<String> = ["type", "at", "currency"]

    /// `reserved`, `paid`, `cancelled`, `expired`, `fulfilled`, `payment_unmatched`, `lease_reaped`.
    public var type: String
    /// Unix ms of the change.
    public var atMillis: Int64
    /// ISO 4217 code (`XXX`: the sale has no price).
    public var currency: String
    /// The orders, in the entry's order (empty for `lease_reaped`).
    public var orders: [Order]

    /// Reads an entry's field/value pairs (as `XRANGE` gives them); nil without a `type`.
    public init?(fields: [(String, String)]) {
        var type: String?
        var at: Int64 = 0
        var currency = ""
        var orders: [Order] = []
        for (field, value) in fields {
            switch field {
            case "type": type = value
            case "at": at = Int64(value) ?? 0
            case "currency": currency = value
            default: orders.append(Order(id: field, tokens: value.split(separator: " ", omittingEmptySubsequences: false).map(String.init)))
            }
        }
        guard let type else { return nil }
        self.type = type
        atMillis = at
        self.currency = currency
        self.orders = type == "lease_reaped" ? [] : orders
    }
}
