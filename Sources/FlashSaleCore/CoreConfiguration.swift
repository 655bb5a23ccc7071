/// How a worker sizes and times its stock leases.
///
/// Lease size = `clamp(poolRemaining / shareDivisor, minLease, maxLease)`: large while the
/// pool is large, shrinking as it drains, down to `minLease` (1) at the tail so that no
/// worker strands units another worker could sell. The next lease is asked for when the
/// slice falls to `lowWatermarkPercent` of the last lease size (prefetch).
public struct LeasePolicy: Sendable, Hashable {
    /// Largest lease asked for at once.
    public var maxLease: Int
    /// Smallest lease asked for (the tail).
    public var minLease: Int
    /// The pool is shared among about this many lease holders (workers of all nodes, times
    /// a safety factor); a lease takes `1/shareDivisor` of the remaining pool.
    public var shareDivisor: Int
    /// Prefetch the next lease when the slice is at or below this percentage of the last
    /// lease size.
    public var lowWatermarkPercent: Int
    /// After Redis reported the pool empty, answer `soldOut` but ask again (one unit) at
    /// most this often, in case cancels, expiries or returned leases refilled the pool.
    public var emptyPoolRecheckMillis: Int64
    /// The tail: while the pool is empty but units are leased to other workers, a purchase
    /// the slice cannot cover is parked and the lease is asked again at most this often
    /// (`WorkerShard.pollTail`), until the units arrive or nothing is leased elsewhere.
    public var tailPollMillis: Int64
    /// The tail: a slice of a SKU whose pool is (about) empty that has not sold for this
    /// long goes back to the pool (`WorkerShard.returnTailSlices`), so that a worker or
    /// node that still has buyers can sell it.
    public var tailIdleReturnMillis: Int64

    /// Creates a policy.
    public init(
        maxLease: Int = 256, minLease: Int = 1, shareDivisor: Int = 16,
        lowWatermarkPercent: Int = 25, emptyPoolRecheckMillis: Int64 = 500,
        tailPollMillis: Int64 = 10, tailIdleReturnMillis: Int64 = 50
    ) {
        self.maxLease = max(1, maxLease)
        self.minLease = max(1, min(minLease, self.maxLease))
        self.shareDivisor = max(1, shareDivisor)
        self.lowWatermarkPercent = min(100, max(0, lowWatermarkPercent))
        self.emptyPoolRecheckMillis = max(0, emptyPoolRecheckMillis)
        self.tailPollMillis = max(0, tailPollMillis)
        self.tailIdleReturnMillis = max(0, tailIdleReturnMillis)
    }

    /// True when a pool of about `poolRemaining` units is at the tail: leases are down to
    /// `minLease`, so a slice left idle there may be all another worker is missing.
    @inline(__always)
    public func isTail(poolRemaining: Int) -> Bool {
        poolRemaining / shareDivisor < minLease
    }

    /// The lease size to ask for when about `poolRemaining` units are left in the pool.
    @inline(__always)
    public func leaseSize(poolRemaining: Int) -> Int {
        max(minLease, min(maxLease, poolRemaining / shareDivisor))
    }

    /// The slice level at or below which the next lease is asked for.
    @inline(__always)
    public func lowWatermark(lastLeaseSize: Int) -> Int {
        lastLeaseSize * lowWatermarkPercent / 100
    }
}

/// Settings of the core shared by every worker of a process.
public struct CoreConfiguration: Sendable {
    /// The node component of order ids (see `OrderID`). Must differ between processes that
    /// run at the same time; use a value that also changes across restarts when possible.
    public var instance: UInt32
    /// Lease sizing.
    public var leasePolicy: LeasePolicy
    /// Per worker: most orders decided and not yet confirmed or rejected by Redis (queued
    /// plus in flight). A purchase that finds it full is answered `overloaded`.
    public var pendingOrderCapacity: Int
    /// Per worker: most purchases parked while a lease is in flight.
    public var parkCapacity: Int
    /// A parked purchase still unresolved after this long is answered `overloaded`
    /// (by `WorkerShard.expireParked(now:)`).
    public var parkTimeoutMillis: Int64
    /// Per process: most idempotency records held; the oldest is dropped first.
    public var idempotencyCapacity: Int
    /// An idempotency record is dropped this long after it was made (Redis keeps the
    /// authoritative `fs:{S}:idem` record; see docs/core.md).
    public var idempotencyRetentionMillis: Int64
    /// Number of lock stripes of the buyer ledger (rounded up to a power of two).
    public var ledgerStripes: Int
    /// Seed of the ledger/idempotency hash; nil takes a random per-process seed.
    public var hashSeed: UInt64?

    /// Creates a configuration with production defaults.
    public init(
        instance: UInt32, leasePolicy: LeasePolicy = LeasePolicy(), pendingOrderCapacity: Int = 8192,
        parkCapacity: Int = 1024, parkTimeoutMillis: Int64 = 250, idempotencyCapacity: Int = 1 << 20,
        idempotencyRetentionMillis: Int64 = 3_600_000, ledgerStripes: Int = 64, hashSeed: UInt64? = nil
    ) {
        self.instance = instance
        self.leasePolicy = leasePolicy
        self.pendingOrderCapacity = max(1, pendingOrderCapacity)
        self.parkCapacity = max(0, parkCapacity)
        self.parkTimeoutMillis = max(0, parkTimeoutMillis)
        self.idempotencyCapacity = max(1, idempotencyCapacity)
        self.idempotencyRetentionMillis = max(0, idempotencyRetentionMillis)
        self.ledgerStripes = max(1, ledgerStripes)
        self.hashSeed = hashSeed
    }
}
