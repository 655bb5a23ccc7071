import FlashSaleCore

/// Orders: the group-commit flush, the buyer counts it enforces, and reservation expiry.
public protocol OrderStore: AnyObject {
    /// Records a batch of orders of one sale decided by `worker` (one atomic call that
    /// re-checks the lease, the per-user limit and the idempotency key of each order).
    /// Idempotent on order id, so a batch whose reply was lost can be sent again.
    func flush(
        sale: String, worker: String, orders: ArraySlice<PendingOrder>,
        completion: @escaping (Result<FlushReply, StoreError>) -> Void)
    /// The units `user` holds (reserved + paid) of `sku`.
    func unitsHeld(sale: String, sku: String, user: String, completion: @escaping (Result<Int64, StoreError>) -> Void)
    /// Expires up to `limit` reservations of each sale due at `nowMillis`, in order.
    func expireDue(
        sales: [String], nowMillis: Int64, limit: Int,
        completion: @escaping ([Result<SweepOutcome, StoreError>]) -> Void)
}
