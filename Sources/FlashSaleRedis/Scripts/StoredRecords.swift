/// An order as stored in `fs:{S}:order:{id}`, decoded from `HGETALL`.
public struct OrderRecord: Sendable, Equatable {
    /// The order id.
    public let orderID: String
    /// The sale id.
    public let sale: String
    /// The SKU.
    public let sku: String
    /// The buyer.
    public let user: String
    /// Units.
    public let quantity: Int64
    /// `reserved`, `paid`, `cancelled` or `expired`.
    public let status: String
    /// When the engine decided the order (Unix ms).
    public let createdAtMillis: Int64
    /// When the reservation lapses unless paid (Unix ms).
    public let expiresAtMillis: Int64
    /// The worker that sold it.
    public let worker: String
    /// The buyer's idempotency key, if the order had one.
    public let idempotencyKey: String?
    /// When it reached its final state (`paid_at`, `cancelled_at` or `expired_at`), if it did.
    public let closedAtMillis: Int64?

    /// The `HGETALL fs:{S}:order:{id}` command.
    public static func readCommand(sale: String, orderID: String) -> [String] {
        ["HGETALL", FlashSaleKeys(sale: sale).order(orderID)]
    }

    /// Decodes an `HGETALL` reply; nil for an empty reply (no such order) or a hash
    /// missing required fields.
    public static func parse(_ reply: RedisValue) -> OrderRecord? {
        let fields = reply.fieldMap
        guard let id = fields["id"], let sale = fields["sale"], let sku = fields["sku"], let user = fields["user"],
            let quantity = fields["qty"].flatMap({ Int64($0) }), let status = fields["status"],
            let created = fields["created_at"].flatMap({ Int64($0) }),
            let expires = fields["expires_at"].flatMap({ Int64($0) })
        else { return nil }
        let key = fields["idem"].flatMap { $0.isEmpty ? nil : $0 }
        return OrderRecord(
            orderID: id, sale: sale, sku: sku, user: user, quantity: quantity, status: status,
            createdAtMillis: created, expiresAtMillis: expires, worker: fields["worker"] ?? "",
            idempotencyKey: key, closedAtMillis: fields[status + "_at"].flatMap { Int64($0) })
    }

    /// Creates a record.
    public init(
        orderID: String, sale: String, sku: String, user: String, quantity: Int64, status: String,
        createdAtMillis: Int64, expiresAtMillis: Int64, worker: String, idempotencyKey: String?,
        closedAtMillis: Int64?
    ) {
        self.orderID = orderID
        self.sale = sale
        self.sku = sku
        self.user = user
        self.quantity = quantity
        self.status = status
        self.createdAtMillis = createdAtMillis
        self.expiresAtMillis = expiresAtMillis
        self.worker = worker
        self.idempotencyKey = idempotencyKey
        self.closedAtMillis = closedAtMillis
    }
}

/// A sale's configuration as stored in `fs:{S}:sale`, decoded from `HGETALL`.
public struct SaleRecord: Sendable, Equatable {
    /// The sale id.
    public let sale: String
    /// Purchase window start (Unix ms).
    public let startsAtMillis: Int64
    /// Purchase window end (Unix ms).
    public let endsAtMillis: Int64
    /// Units per user and SKU; 0 = no limit.
    public let perUserLimit: Int64
    /// Seconds a reservation stays unpaid.
    public let reservationTTLSeconds: Int64
    /// The SKUs, in creation order.
    public let skus: [String]
    /// 1 on creation, +1 per change.
    public let revision: Int64

    /// The `HGETALL fs:{S}:sale` command.
    public static func readCommand(sale: String) -> [String] {
        ["HGETALL", FlashSaleKeys(sale: sale).saleHash]
    }

    /// Decodes an `HGETALL` reply; nil for an empty reply (no such sale).
    public static func parse(_ reply: RedisValue) -> SaleRecord? {
        let fields = reply.fieldMap
        guard let sale = fields["id"], let starts = fields["starts_at"].flatMap({ Int64($0) }),
            let ends = fields["ends_at"].flatMap({ Int64($0) }),
            let limit = fields["per_user_limit"].flatMap({ Int64($0) }),
            let ttl = fields["reservation_ttl_s"].flatMap({ Int64($0) })
        else { return nil }
        let skus = (fields["skus"] ?? "").split(separator: ",").map(String.init)
        return SaleRecord(
            sale: sale, startsAtMillis: starts, endsAtMillis: ends, perUserLimit: limit,
            reservationTTLSeconds: ttl, skus: skus, revision: fields["revision"].flatMap { Int64($0) } ?? 1)
    }

    /// Creates a record.
    public init(
        sale: String, startsAtMillis: Int64, endsAtMillis: Int64, perUserLimit: Int64,
        reservationTTLSeconds: Int64, skus: [String], revision: Int64
    ) {
        self.sale = sale
        self.startsAtMillis = startsAtMillis
        self.endsAtMillis = endsAtMillis
        self.perUserLimit = perUserLimit
        self.reservationTTLSeconds = reservationTTLSeconds
        self.skus = skus
        self.revision = revision
    }
}

extension RedisValue {
    /// A field → value map of an `HGETALL`-style array reply.
    fileprivate var fieldMap: [String: String] {
        let items = elements
        var out: [String: String] = [:]
        out.reserveCapacity(items.count / 2)
        var index = 0
        while index + 1 < items.count {
            if let field = items[index].string, let value = items[index + 1].string { out[field] = value }
            index += 2
        }
        return out
    }
}
