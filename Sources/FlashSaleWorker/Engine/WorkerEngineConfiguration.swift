/// When a reserved purchase is answered.
public enum AckMode: String, Sendable, CaseIterable {
    /// Answer only when Redis acknowledged the batch holding the order (the default):
    /// every `201` names an order that is in Redis.
    case persisted
    /// Answer at once, persist behind (write-behind). See docs/redis-persistence.md for
    /// the loss window; it never causes oversell.
    case reserved
    /// Answer only when Redis acknowledged the batch and `ackReplicas` replicas confirmed
    /// it (`WAIT` behind each flush): every `201` names an order that survives a failover
    /// to one of those replicas. Fewer replicas in time: `503` (outcome unknown; the same
    /// Idempotency-Key returns the order on retry). See docs/scaling.md.
    case replicated

    /// Whether a reservation's answer waits for the store (`persisted`, `replicated`).
    public var waitsForStore: Bool { self != .reserved }
}

/// Settings of one ``WorkerEngine``. Defaults are documented in docs/redis-persistence.md.
public struct WorkerEngineConfiguration: Sendable {
    /// This node's id, stable across restarts (leases are recorded as `<nodeID>/<workerIndex>`).
    public var nodeID: String
    /// This worker's index in the process (0-based).
    public var workerIndex: Int
    /// When purchases are answered.
    public var ackMode: AckMode = .persisted
    /// Most orders in one flush call. Default 512.
    public var maxBatchSize = 512
    /// Most flush calls in flight at once. Default 8.
    public var maxBatchesInFlight = Self.defaultMaxBatchesInFlight
    /// The default of ``maxBatchesInFlight`` (`--flushes-in-flight`).
    public static let defaultMaxBatchesInFlight = 8
    /// `--ack replicated`: most flush calls in flight at once. Default 1. A `WAIT` blocks its
    /// connection until the replicas answer, so a batch sent behind it runs no sooner; more
    /// batches in flight only make each smaller, and each costs Redis a fixed share
    /// (measured: 8 in flight cost 1.5x the Redis CPU per order of `--ack persisted` at 64
    /// connections, 1 in flight 0.95x; docs/performance.md).
    public var maxReplicatedBatchesInFlight = Self.defaultMaxReplicatedBatchesInFlight
    /// The default of ``maxReplicatedBatchesInFlight``.
    public static let defaultMaxReplicatedBatchesInFlight = 1
    /// `--ack persisted`: a purchase not acknowledged within this time is answered
    /// `overloaded` (the order stays queued). Default 5000 ms.
    public var ackTimeoutMillis: UInt64 = 5000
    /// Housekeeping period: parked-purchase timeouts, ack timeouts, readiness. Default 25 ms.
    public var housekeepingMillis: UInt64 = 25
    /// Whether this worker runs the expiry sweep (default: worker 0 only; one per process
    /// is enough, the sweep is idempotent across nodes).
    public var runsExpirySweep: Bool
    /// Expiry sweep period. Default 1000 ms.
    public var sweepIntervalMillis: UInt64 = 1000
    /// Most reservations expired per sweep call (a full call is followed by another). Default 500.
    public var sweepBatch = 500
    /// Whether this worker bootstraps the node (worker 0): loads sales from Redis, reclaims
    /// the node's stale leases, and keeps the process's sale directory in sync with Redis.
    public var bootstrapsNode: Bool
    /// Period of the sale directory sync from Redis (bootstrap worker). Default 2000 ms.
    public var saleSyncIntervalMillis: UInt64 = 2000
    /// Period of `fs:node:{id}` stats. Default 1000 ms.
    public var statsIntervalMillis: UInt64 = 1000
    /// TTL of `fs:node:{id}`. Default 10 s.
    public var statsTTLSeconds = 10
    /// Slices unused this long go back to the pool (and ended sales' slices). Default 30 s.
    public var idleSliceReturnMillis: Int64 = 30_000
    /// Before answering `limit_exceeded`, check the buyer's units in Redis (the local ledger
    /// does not hear of cancels and expiries run by other nodes). Default true.
    public var verifiesLimitWithRedis = true
    /// Most such checks in flight; beyond, `limit_exceeded` is answered from the ledger. Default 256.
    public var maxLimitChecksInFlight = 256
    /// `--ack replicated`: replicas that must confirm each flush batch (`WAIT N`). Default 1.
    public var ackReplicas = 1
    /// `--ack replicated`: the `WAIT` timeout; a batch not confirmed in time is answered
    /// `overloaded`. Default 500 ms.
    public var replicaWaitTimeoutMillis = 500
    /// A lease holder silent (no heartbeat, by Redis `TIME`) for longer than this is reaped:
    /// its leases go back to the pools. Default 10 000 ms.
    public var leaseGraceMillis: Int64 = 10_000
    /// Whether this worker runs the reaper (default: worker 0 only; every node reaps).
    public var runsReaper: Bool
    /// Reaper period. Default 1000 ms.
    public var reapIntervalMillis: UInt64 = 1000
    /// Heartbeat period of a lease holder: every second, and at least three beats per grace.
    public var heartbeatMillis: UInt64 { UInt64(max(50, min(1000, leaseGraceMillis / 3))) }
    /// Shutdown: longest wait for the last flushes and lease returns. Default 5000 ms.
    public var shutdownTimeoutMillis: UInt64 = 5000

    /// Settings for worker `workerIndex` of node `nodeID`.
    public init(nodeID: String, workerIndex: Int) {
        self.nodeID = nodeID
        self.workerIndex = workerIndex
        self.runsExpirySweep = workerIndex == 0
        self.runsReaper = workerIndex == 0
        self.bootstrapsNode = workerIndex == 0
    }

    /// `<nodeID>/<workerIndex>`: the field of this worker's leases in `fs:{S}:leases:{sku}`.
    public var workerID: String { nodeID + "/" + String(workerIndex) }
}
