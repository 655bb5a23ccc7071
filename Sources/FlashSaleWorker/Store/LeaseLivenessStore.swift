/// What a lease holder's heartbeat found (`fs:{S}:holders`).
public enum HolderBeat: Sendable, Equatable {
    /// The worker is a holder and still leases units: its beat is refreshed.
    case alive
    /// The worker is no holder of the sale (it was reaped): none of its leases are left.
    case notHolder
    /// The worker was a holder but leases nothing any more: its entry is gone.
    case released
}

/// One silent holder the reaper took the leases of.
public struct ReapedHolder: Sendable, Equatable {
    /// The worker id (`<node-id>/<worker index>`).
    public let worker: String
    /// Units of its leases that went back to the pools (every SKU of the sale).
    public let units: Int64

    /// Creates a reaped holder.
    public init(worker: String, units: Int64) {
        self.worker = worker
        self.units = units
    }
}

/// Liveness of lease holders: heartbeats, and the reaper that returns the leases of
/// silent holders to the pools (docs/scaling.md). The time of a beat is the store's own.
public protocol LeaseLivenessStore: AnyObject {
    /// Refreshes `worker`'s beat in `sale` (one atomic call).
    func beat(sale: String, worker: String, completion: @escaping (Result<HolderBeat, StoreError>) -> Void)
    /// Takes the leases of every holder of `sale` silent for more than `graceMillis` back to
    /// the pools, atomically with flushes and leases; completes with who was reaped.
    func reapSilentHolders(
        sale: String, graceMillis: Int64, completion: @escaping (Result<[ReapedHolder], StoreError>) -> Void)
}

/// Acknowledgement by replicas (`--ack replicated`).
public protocol ReplicationStore: AnyObject {
    /// Waits until `replicas` replicas have every write this connection sent to `sale`'s
    /// master so far, or `timeoutMillis` passed (Redis `WAIT`, sent on the same connection
    /// right behind the flush); completes with how many replicas confirmed.
    func waitForReplicas(
        sale: String, replicas: Int, timeoutMillis: Int, completion: @escaping (Result<Int, StoreError>) -> Void)
}
