import FlashSaleCore
import FlashSaleLoop
import Synchronization

/// Ties one FlashSaleCore worker shard to Redis, on the worker's loop thread.
///
/// It runs the lease script when the core asks for stock, flushes the core's order queue
/// once per loop turn (group commit: one flush script call per sale, a bounded number in
/// flight), feeds outcomes back to the core, answers purchases per ``AckMode``, sheds load
/// when Redis is down or slow, sweeps expired reservations, publishes `fs:node:{id}` stats,
/// and serves the low-rate calls (pay, cancel, order and sale reads, sale upsert) straight
/// from Redis. See docs/redis-persistence.md.
///
/// Loop thread only: create it, call it and shut it down on `loop`.
public final class WorkerPersistence {
    /// The loop it runs on.
    public let loop: EventLoop
    /// The core shard it persists.
    public let shard: WorkerShard
    /// Its settings.
    public let configuration: PersistenceConfiguration
    /// Its Redis connection (health: ``RedisClient/health``, ``RedisClient/sharedHealth``).
    public let client: RedisClient
    /// `<nodeID>/<workerIndex>`.
    public let workerID: String
    /// Counters for `/metrics` and `fs:node:{id}`.
    public internal(set) var stats = PersistenceStats()

    var process: ProcessCore { shard.process }

    // Lifecycle.
    var started = false
    /// True once Redis was reached and this worker's stale leases were reclaimed.
    var ready = false
    var reclaimInFlight = false
    var stopping = false
    var shutdownCompletion: (() -> Void)?
    var shutdownDeadline: UInt64 = 0
    var leasesReturned = false
    var returnsInFlight = 0
    var finished = false

    // Waiting purchases.
    var parkedWaiters: [ParkTicket: (PurchaseDecision) -> Void] = [:]
    var ackWaiters: [OrderID: AckWaiter] = [:]
    var ackDeadlines = FIFO<(id: OrderID, deadline: UInt64)>()

    // Group commit.
    var batchScratch: [PendingOrder] = []
    var batchesInFlight = 0
    var leasesInFlight = 0
    var limitChecksInFlight = 0
    var limitChecksWaiting: [LimitCheck] = []
    var limitChecksWaitingSince: UInt64 = 0
    var leaseReconcileNeeded = false
    var reconcileInFlight = false
    /// Orders whose flush failed with an unknown outcome (they may be in Redis).
    var uncertainOrders: Set<OrderID> = []
    var leaseScratch: [LeaseRequest] = []
    var resolvedScratch: [(ParkTicket, PurchaseDecision)] = []
    var flushLatency = LatencyHistogram(bounds: BucketHistogram.flushMicrosBounds)
    var batchSizes = LatencyHistogram(bounds: BucketHistogram.batchOrdersBounds)

    // Sweep and sale sync.
    var sweepInFlight = false
    var saleSyncInFlight = false
    var saleRevisions: [String: String] = [:]
    var nextIdleReturnAt: UInt64 = 0

    let turnHook: LoopTurnHook
    let housekeepingTimer: LoopTimer
    let statsTimer: LoopTimer
    let sweepTimer: LoopTimer
    let saleSyncTimer: LoopTimer
    /// Re-asks for leases while purchases wait at the tail (armed only then).
    let tailPollTimer: LoopTimer

    /// Creates the engine for `shard` on `loop` (call on the loop thread), with its own
    /// Redis client. Nothing happens until ``start()``.
    public init(loop: EventLoop, shard: WorkerShard, configuration: PersistenceConfiguration) {
        self.loop = loop
        self.shard = shard
        self.configuration = configuration
        workerID = configuration.workerID
        var redis = configuration.redis
        for script in FlashSaleScripts.all where !redis.scripts.contains(script) {
            redis.scripts.append(script)
        }
        client = RedisClient(loop: loop, configuration: redis)
        turnHook = LoopTurnHook(loop: loop)
        housekeepingTimer = LoopTimer(loop: loop)
        statsTimer = LoopTimer(loop: loop)
        sweepTimer = LoopTimer(loop: loop)
        saleSyncTimer = LoopTimer(loop: loop)
        tailPollTimer = LoopTimer(loop: loop)
        batchScratch.reserveCapacity(configuration.maxBatchSize)
    }

    /// Connects and starts the group commit, timers and (once Redis is reached) the
    /// reclaim of this worker's stale leases. Purchases are answered `overloaded` until
    /// the engine is ready (``isReady``).
    /// Called on the loop thread when the Redis connection's health changes, with the
    /// last error (for logs). Set before ``start()``.
    public var onRedisHealthChange: ((RedisHealth, String) -> Void)?

    public func start() {
        guard !started else { return }
        started = true
        client.onHealthChange = { [unowned self] health, error in
            self.clientHealthChanged(health)
            self.onRedisHealthChange?(health, error)
        }
        client.start()
        turnHook.start { [unowned self] in self.afterTurn() }
        housekeepingTimer.start(afterMillis: configuration.housekeepingMillis, repeatMillis: configuration.housekeepingMillis) {
            [unowned self] in self.housekeeping()
        }
        statsTimer.start(afterMillis: configuration.statsIntervalMillis, repeatMillis: configuration.statsIntervalMillis) {
            [unowned self] in self.publishStats()
        }
        if configuration.runsExpirySweep {
            sweepTimer.start(afterMillis: configuration.sweepIntervalMillis, repeatMillis: configuration.sweepIntervalMillis) {
                [unowned self] in self.sweepExpired()
            }
        }
        if configuration.bootstrapsNode {
            saleSyncTimer.start(afterMillis: configuration.saleSyncIntervalMillis, repeatMillis: configuration.saleSyncIntervalMillis) {
                [unowned self] in self.syncSales(completion: nil)
            }
        }
    }

    /// Whether purchases are accepted now: started, not stopping, Redis up, and this
    /// worker's startup reclaim done.
    public var isReady: Bool { ready && !stopping && client.health == .up }

    /// The Redis connection state (for `/healthz`: 503 unless `.up`).
    public var health: RedisHealth { client.health }

    /// Stops taking purchases, flushes every queued order (until `shutdownTimeoutMillis`),
    /// hands this worker's leases back to the pools, closes the Redis connection and the
    /// engine's timers, then calls `completion` (on the loop thread).
    public func shutdown(completion: @escaping () -> Void) {
        guard !stopping else { return }
        stopping = true
        shutdownCompletion = completion
        shutdownDeadline = loop.nowMillis + configuration.shutdownTimeoutMillis
        // Purchases waiting for a lease will not get one now.
        shard.expireParked(now: Int64.max)
        deliverParkedResolutions(now: EventLoop.wallClockMillis())
        continueShutdown()
    }

    /// Drives the shutdown: called from housekeeping and after replies.
    func continueShutdown() {
        guard stopping, !finished else { return }
        let timedOut = loop.nowMillis >= shutdownDeadline
        let flushed = shard.pendingOrderCount == 0 && batchesInFlight == 0 && leasesInFlight == 0
        if !leasesReturned {
            guard flushed || timedOut else { return }
            leasesReturned = true
            returnAllLeases()
        }
        guard returnsInFlight == 0 || timedOut else { return }
        finish()
    }

    private func finish() {
        finished = true
        // Whoever still waits gets an answer.
        let waiters = ackWaiters
        ackWaiters.removeAll()
        ackDeadlines.removeAll()
        for (_, waiter) in waiters { waiter.answer(.overloaded, stats: &stats) }
        let parked = parkedWaiters
        parkedWaiters.removeAll()
        for (_, completion) in parked { answer(.overloaded, completion) }
        let checks = limitChecksWaiting
        limitChecksWaiting.removeAll()
        for check in checks { answer(.limitExceeded, check.completion) }
        turnHook.close()
        housekeepingTimer.close()
        statsTimer.close()
        sweepTimer.close()
        saleSyncTimer.close()
        tailPollTimer.close()
        client.close()
        let completion = shutdownCompletion
        shutdownCompletion = nil
        completion?()
    }
}

/// Purchases waiting for their order's acknowledgement (`--ack persisted`).
struct AckWaiter {
    var first: (PurchaseDecision) -> Void
    var more: [(PurchaseDecision) -> Void] = []

    func answer(_ decision: PurchaseDecision, stats: inout PersistenceStats) {
        stats.count(decision)
        first(decision)
        for completion in more {
            stats.count(decision)
            completion(decision)
        }
    }
}
