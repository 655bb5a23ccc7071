/// Stock leasing: a worker's slices come from the store's pools and go back to them.
public protocol StockStore: AnyObject {
    /// Leases up to `want` units of `sku` to `worker` (`min(pool, want)`).
    func lease(
        sale: String, sku: String, worker: String, want: Int64,
        completion: @escaping (Result<LeaseOutcome, StoreError>) -> Void)
    /// Gives `units` of `worker`'s lease back to the pool (`nil`: the whole lease).
    func returnLease(
        sale: String, sku: String, worker: String, units: Int64?,
        completion: @escaping (Result<LeaseOutcome, StoreError>) -> Void)
    /// Gives every lease any worker of `node` holds in `sales` back to the pools (a
    /// restarted node reclaims its own stale leases). Completes with the units returned.
    func reclaim(sales: [String], node: String, completion: @escaping (Result<Int, StoreError>) -> Void)
    /// The units of `worker`'s lease of each (sale, sku), in order.
    func leasesHeld(
        _ skus: [(sale: String, sku: String)], worker: String,
        completion: @escaping ([Result<Int64, StoreError>]) -> Void)
}
