/// What the driver saw, for the checks that compare Redis with the answers
/// the engine gave (written to `evidence.json`; `verify --evidence` reads it).
public struct DriverEvidence: Sendable, Codable, Equatable {
    /// One purchase the engine acknowledged with `201`.
    public struct AckedOrder: Sendable, Codable, Equatable {
        /// The order id from the 201 body.
        public var orderID: String
        /// The buyer.
        public var user: String
        /// The Idempotency-Key sent ("" when none).
        public var key: String
        /// The SKU.
        public var sku: String
        /// Units.
        public var qty: Int
        /// `paid` or `cancelled` when the driver got a 200 for that, else "reserved".
        public var lastAckedStatus: String

        /// Creates a record.
        public init(orderID: String, user: String, key: String, sku: String, qty: Int, lastAckedStatus: String = "reserved") {
            self.orderID = orderID
            self.user = user
            self.key = key
            self.sku = sku
            self.qty = qty
            self.lastAckedStatus = lastAckedStatus
        }
    }

    /// Every distinct acknowledged order.
    public var acked: [AckedOrder]
    /// (user, key) pairs whose 201 answers named different order ids: "user key: id1, id2".
    public var conflictingAnswers: [String]
    /// Purchases refused with `sold_out`.
    public var soldOutAnswers: Int
    /// Units asked for by distinct (user, key) purchases.
    public var unitsAsked: Int
    /// Purchases without a definite answer (timeouts, resets).
    public var unknownPurchases: Int

    /// Creates evidence.
    public init(acked: [AckedOrder] = [], conflictingAnswers: [String] = [], soldOutAnswers: Int = 0,
                unitsAsked: Int = 0, unknownPurchases: Int = 0) {
        self.acked = acked
        self.conflictingAnswers = conflictingAnswers
        self.soldOutAnswers = soldOutAnswers
        self.unitsAsked = unitsAsked
        self.unknownPurchases = unknownPurchases
    }
}
