import FlashSaleRedis

/// Everything `flashsale top` shows, read from Redis only.
public struct DashboardSnapshot: Sendable, Equatable {
    /// One SKU's unit counters (from the atomic audit script) and its
    /// cumulative rejections by reason (`rejected_*` fields of its counts hash).
    public struct SKURow: Sendable, Equatable {
        public var audit: SKUAudit
        public var rejections: [String: Int64]
    }

    /// One sale.
    public struct SaleRow: Sendable, Equatable {
        public var sale: String
        public var startsAtMillis: Int64?
        public var endsAtMillis: Int64?
        public var perUserLimit: Int64?
        public var skus: [SKURow]
        /// `reserved` events in the sale's stream during the last second (capped).
        public var ordersLastSecond: Int
        public var ordersCapped: Bool

        /// Whether every SKU satisfies `total = pool + Σ leases + reserved + paid`.
        public var conserved: Bool { skus.allSatisfy { $0.audit.isConserved } }
    }

    /// One node's live stats hash (`fs:node:{id}`) and its remaining TTL.
    public struct NodeRow: Sendable, Equatable {
        public var id: String
        public var fields: [(String, String)]
        public var ttlSeconds: Int64

        public static func == (lhs: NodeRow, rhs: NodeRow) -> Bool {
            lhs.id == rhs.id && lhs.ttlSeconds == rhs.ttlSeconds
                && lhs.fields.map(\.0) == rhs.fields.map(\.0) && lhs.fields.map(\.1) == rhs.fields.map(\.1)
        }
    }

    /// Redis's clock when the snapshot was read (Unix ms).
    public var redisTimeMillis: Int64
    /// The schema version in `fs:schema` (nil when absent).
    public var schema: String?
    public var sales: [SaleRow]
    public var nodes: [NodeRow]

    /// Whether conservation holds for every SKU of every sale.
    public var conserved: Bool { sales.allSatisfy(\.conserved) }
}
