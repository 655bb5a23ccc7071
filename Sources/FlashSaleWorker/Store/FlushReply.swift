/// Why Redis refused an order of a batch (counted as `rejected_<reason>` in the SKU's counts).
public enum FlushRefusal: String, Sendable, Equatable {
    /// The worker's lease for the SKU holds fewer units than the order needs.
    case lease
    /// The buyer would hold more than `per_user_limit` units of the SKU.
    case limit
    /// Malformed order (quantity not an integer >= 1, a bad SKU index or `expires_at`).
    case invalid
}

/// The fate of one order of a batch.
public enum FlushOrderResult: Sendable, Equatable {
    /// Recorded now.
    case recorded
    /// Already recorded by an earlier call (a retried batch); nothing changed.
    case alreadyRecorded
    /// The buyer's idempotency key already names `existingOrderID` (created and expiring
    /// at the given Unix ms); nothing recorded. `sameRequest` is false when that order has
    /// another SKU or quantity (`422`; the times are then 0).
    case duplicate(existingOrderID: String, createdAtMillis: Int64, expiresAtMillis: Int64, sameRequest: Bool)
    /// Refused; nothing recorded.
    case rejected(FlushRefusal)
}

/// The reply of one group-commit flush.
public struct FlushReply: Sendable, Equatable {
    /// One result per order, in batch order.
    public let results: [FlushOrderResult]
    /// The worker's lease per SKU after the batch, for every SKU whose lease the script
    /// read (Redis wins: the engine corrects its slice to this).
    public let leasesAfter: [String: Int64]
    /// False when the sale hash does not exist; then nothing was recorded.
    public let saleFound: Bool

    /// Creates an outcome.
    public init(results: [FlushOrderResult], leasesAfter: [String: Int64], saleFound: Bool) {
        self.results = results
        self.leasesAfter = leasesAfter
        self.saleFound = saleFound
    }
}
