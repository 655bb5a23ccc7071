/// What one read of Redis found (one second's picture). Plain values, no I/O.

/// One SKU's unit counters, read together in one `MULTI`.
public struct SKUReading: Sendable, Equatable {
    public var sku: String
    /// `fs:{S}:counts:{sku}` `total`.
    public var total: Int64
    /// `fs:{S}:pool:{sku}`.
    public var pool: Int64
    /// Σ `fs:{S}:leases:{sku}`.
    public var leased: Int64
    public var reserved: Int64
    public var paid: Int64
    /// Present once fulfilment exists (0 until then).
    public var fulfilled: Int64
    public var cancelled: Int64
    public var expired: Int64
    /// `rejected_<reason>` counters of the flush, by reason (sorted by reason).
    public var rejections: [(reason: String, count: Int64)]

    /// `total - (pool + leased + reserved + paid)`: 0 when stock is conserved.
    public var imbalance: Int64 { total - (pool + leased + reserved + paid) }
    /// Whether `total = pool + Σ leases + reserved + paid` holds.
    public var conserved: Bool { imbalance == 0 }
    /// Units that ever entered `reserved` (cancelled and expired are cumulative).
    public var everReserved: Int64 { reserved + paid + cancelled + expired }
    /// Nothing left to sell (pool and leases empty).
    public var soldOut: Bool { pool + leased == 0 }

    public static func == (a: SKUReading, b: SKUReading) -> Bool {
        a.sku == b.sku && a.total == b.total && a.pool == b.pool && a.leased == b.leased && a.reserved == b.reserved
            && a.paid == b.paid && a.fulfilled == b.fulfilled && a.cancelled == b.cancelled && a.expired == b.expired
            && a.rejections.map(\.reason) == b.rejections.map(\.reason) && a.rejections.map(\.count) == b.rejections.map(\.count)
    }
}

/// One sale as read from `fs:{S}:sale` and its SKUs' keys.
public struct SaleReading: Sendable, Equatable {
    public var sale: String
    public var startsAtMillis: Int64?
    public var endsAtMillis: Int64?
    public var perUserLimit: Int64?
    public var skus: [SKUReading]
    /// `fs:{S}:holders`: worker id → last heartbeat (ms), when scale-out writes it.
    public var holders: [(worker: String, beatMillis: Int64)]
    /// Relay state when the relay runs: `fs-relay` group lag and pending, `fs:{S}:dead` length.
    public var relay: RelayReading?

    public static func == (a: SaleReading, b: SaleReading) -> Bool {
        a.sale == b.sale && a.startsAtMillis == b.startsAtMillis && a.endsAtMillis == b.endsAtMillis
            && a.perUserLimit == b.perUserLimit && a.skus == b.skus && a.relay == b.relay
            && a.holders.map(\.worker) == b.holders.map(\.worker) && a.holders.map(\.beatMillis) == b.holders.map(\.beatMillis)
    }

    /// The API's sale state at `now` (derived as `docs/redis-schema.md` says).
    public func state(at now: Int64) -> String {
        if let starts = startsAtMillis, now < starts { return "scheduled" }
        if let ends = endsAtMillis, now >= ends { return "ended" }
        if !skus.isEmpty && skus.allSatisfy(\.soldOut) { return "sold_out" }
        return "live"
    }
}

/// The relay's view of one sale's event stream.
public struct RelayReading: Sendable, Equatable {
    /// Entries not yet delivered to the `fs-relay` group (Redis 7 `lag`; -1 unknown).
    public var lag: Int64
    /// Delivered, not acknowledged.
    public var pending: Int64
    /// `XLEN fs:{S}:dead`.
    public var deadLetters: Int64
}

/// One worker's `fs:node:{id}` hash.
public struct NodeReading: Sendable, Equatable {
    /// The worker id (`<node-id>/<worker>`).
    public var id: String
    public var fields: [String: String]
    /// Remaining TTL of the hash, seconds.
    public var ttlSeconds: Int64

    /// An integer field (0 when absent).
    public func int(_ name: String) -> Int64 { fields[name].flatMap { Int64($0) } ?? 0 }
}

/// One complete read.
public struct Reading: Sendable, Equatable {
    /// Redis `TIME`, ms.
    public var redisTimeMillis: Int64
    /// `fs:schema`.
    public var schema: String?
    public var sales: [SaleReading]
    public var nodes: [NodeReading]
}
