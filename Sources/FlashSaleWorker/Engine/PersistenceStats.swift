import FlashSaleCore

/// Running counters of one ``WorkerEngine`` (cumulative since start).
public struct PersistenceStats: Sendable, Equatable {
    /// Purchase requests received.
    public var requests = 0
    /// Final answers given, by kind.
    public var reserved = 0
    public var duplicates = 0
    public var soldOut = 0
    public var limitExceeded = 0
    public var notLive = 0
    public var notFound = 0
    public var idempotencyConflicts = 0
    public var invalid = 0
    public var overloaded = 0
    /// Purchases parked while a lease was in flight.
    public var parked = 0
    /// Orders Redis acknowledged (recorded or already recorded).
    public var ordersPersisted = 0
    /// Orders Redis refused at flush (lease, limit, idempotency, other).
    public var ordersRejectedByRedis = 0
    /// `--ack persisted`: queued orders rolled back unsent when Redis went down.
    public var ordersDroppedUnsent = 0
    /// `--ack reserved`: orders answered 201 that Redis then refused.
    public var ackedThenRejected = 0
    /// Flush calls sent / failed before Redis decided (their orders were queued again).
    public var flushes = 0
    public var flushFailures = 0
    /// Largest batch seen.
    public var maxBatch = 0
    /// Lease calls and units granted.
    public var leaseCalls = 0
    public var unitsLeased = 0
    /// Units handed back: reclaimed at start (node bootstrap) and returned at shutdown.
    public var unitsReclaimed = 0
    public var unitsReturned = 0
    /// Units handed back at the tail (idle, or a sibling starved), a subset of `unitsReturned`.
    public var unitsReturnedAtTail = 0
    /// Local `limit_exceeded` answers checked against Redis, and ledger entries corrected.
    public var limitChecks = 0
    public var limitCorrections = 0
    /// Slices set to Redis's lease after a lease reply was lost.
    public var sliceCorrections = 0
    /// Reservations expired by this worker's sweep.
    public var expiredBySweep = 0
    /// `--ack persisted` waiters answered `overloaded` after `ackTimeoutMillis`.
    public var ackTimeouts = 0
    /// This worker's reaper: silent holders reaped (any node's) and their units returned.
    public var holdersReaped = 0
    public var unitsReaped = 0
    /// Heartbeats that found this worker reaped, and the slice units it then dropped.
    public var holderLost = 0
    public var unitsDroppedAfterReap = 0
    /// `--ack replicated`: `WAIT` calls by outcome (enough replicas in time, or not).
    public var replicaWaitsConfirmed = 0
    public var replicaWaitsShort = 0

    mutating func count(_ decision: PurchaseDecision) {
        switch decision {
        case .reserved: reserved += 1
        case .duplicate: duplicates += 1
        case .soldOut: soldOut += 1
        case .limitExceeded: limitExceeded += 1
        case .saleNotStarted, .saleEnded: notLive += 1
        case .saleNotFound, .skuNotFound: notFound += 1
        case .idempotencyKeyReused: idempotencyConflicts += 1
        case .invalidQuantity: invalid += 1
        case .overloaded, .parked: overloaded += 1
        }
    }

    /// Final answers given so far.
    public var answered: Int {
        reserved + duplicates + soldOut + limitExceeded + notLive + notFound + idempotencyConflicts + invalid + overloaded
    }
}

/// Counts of observations by fixed upper bounds, their sum and their count,
/// cumulative since start: the shape of a Prometheus histogram (which sums
/// across workers and scrapes, unlike quantiles).
public struct BucketHistogram: Sendable, Equatable {
    /// Upper bounds (inclusive), ascending; an implicit `+Inf` bucket follows.
    public let bounds: [UInt64]
    /// Observations per bucket (not cumulative): `bounds.count + 1` cells, the last for `+Inf`.
    public private(set) var counts: [UInt64]
    /// Sum of every observation.
    public private(set) var sum: UInt64 = 0
    /// Number of observations.
    public private(set) var count: UInt64 = 0

    /// Flush round trip bounds, microseconds (100 µs … 2.5 s).
    public static let flushMicrosBounds: [UInt64] = [
        100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 1_000_000, 2_500_000,
    ]
    /// Orders-per-flush bounds (1 … 1024).
    public static let batchOrdersBounds: [UInt64] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]

    /// An empty histogram over `bounds` (ascending).
    public init(bounds: [UInt64]) {
        self.bounds = bounds
        counts = [UInt64](repeating: 0, count: bounds.count + 1)
    }

    /// Counts one observation.
    public mutating func record(_ value: UInt64) {
        var bucket = 0
        while bucket < bounds.count, value > bounds[bucket] { bucket += 1 }
        counts[bucket] &+= 1
        sum &+= value
        count &+= 1
    }
}
