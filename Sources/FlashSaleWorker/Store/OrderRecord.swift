/// One order as Redis holds it (a packed record in `fs:{S}:orders`, read back into fields).
public struct OrderRecord: Sendable, Equatable {
    /// The order id.
    public var orderID: String
    /// Sale, SKU, buyer, units.
    public var sale: String
    public var sku: String
    public var user: String
    public var quantity: Int64
    /// `reserved`, `paid`, `fulfilled`, `cancelled` or `expired`.
    public var status: String
    /// Unix ms.
    public var createdAtMillis: Int64
    public var expiresAtMillis: Int64
    /// Every field of the hash (e.g. `paid_at`, `idem`).
    public var fields: [String: String]

    /// Reads the fields of order `orderID` of `sale`; nil when a required field is missing.
    /// The order id and the sale come from the key (the hash does not repeat them).
    public init?(sale: String, orderID id: String, fields: [String: String]) {
        guard let sku = fields["sku"], let user = fields["user"],
            let qty = fields["qty"].flatMap({ Int64($0) }), let status = fields["status"],
            let created = fields["created_at"].flatMap({ Int64($0) }),
            let expires = fields["expires_at"].flatMap({ Int64($0) })
        else { return nil }
        orderID = id
        self.sale = sale
        self.sku = sku
        self.user = user
        quantity = qty
        self.status = status
        createdAtMillis = created
        expiresAtMillis = expires
        self.fields = fields
    }
}

/// A sale as Redis holds it, for `GET /v1/sales/{sale}`.
public struct SaleSnapshot: Sendable, Equatable {
    /// One SKU: its stock and the units not reserved or paid (pool + leases).
    public struct Item: Sendable, Equatable {
        public var sku: String
        public var stock: Int64
        public var available: Int64
        /// Unit price in minor units of the sale's currency (0: no prices).
        public var price: Int64

        /// Creates an item.
        public init(sku: String, stock: Int64, available: Int64, price: Int64 = 0) {
            self.sku = sku
            self.stock = stock
            self.available = available
            self.price = price
        }
    }

    public var sale: String
    /// `scheduled`, `live`, `sold_out` (live with nothing available) or `ended`.
    public var state: String
    public var startsAtMillis: Int64
    public var endsAtMillis: Int64
    /// Units one user may hold per SKU (1...1,000,000).
    public var perUserLimit: Int64
    public var reservationTTLSeconds: Int64
    public var items: [Item]
    /// ISO 4217 code of the prices (`XXX`: none).
    public var currency: String

    /// Creates a snapshot.
    public init(
        sale: String, state: String, startsAtMillis: Int64, endsAtMillis: Int64, perUserLimit: Int64,
        reservationTTLSeconds: Int64, items: [Item], currency: String = "XXX"
    ) {
        self.currency = currency
        self.sale = sale
        self.state = state
        self.startsAtMillis = startsAtMillis
        self.endsAtMillis = endsAtMillis
        self.perUserLimit = perUserLimit
        self.reservationTTLSeconds = reservationTTLSeconds
        self.items = items
    }
}
