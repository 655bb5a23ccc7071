import FlashSaleCore
import FlashSaleLoop

/// Orders the work of one worker: ties its FlashSaleCore shard to its store, on the
/// worker's loop thread.
///
/// The engine owns the lifecycle (start, readiness, graceful shutdown) and the order of
/// the work in each loop turn; each job is a small type with its own state:
/// ``AckRouter`` (who waits for which answer), ``LeaseManager`` (slices in and out of the
/// pools), ``GroupCommit`` (the order queue to the store), ``LimitVerifier``,
/// ``ExpirySweeper``, ``SaleDirectorySync`` and ``NodeStatsPublisher`` (their timers are
/// the engine's ``PeriodicJobs``). The store is
/// reached only through the narrow protocols of ``WorkerStore`` (FlashSaleRedis
/// implements them). See docs/redis-persistence.md and docs/architecture.md.
///
/// Loop thread only: create it, call it and shut it down on `loop`.
public final class WorkerEngine {
    /// The loop it runs on.
    public let loop: EventLoop
    /// The core shard it drives.
    public let shard: WorkerShard
    /// Its settings.
    public let configuration: WorkerEngineConfiguration
    /// Its store (the worker's Redis connection).
    public let store: any WorkerStore
    /// `<nodeID>/<workerIndex>`.
    public let workerID: String
    /// Counters for `/metrics` and the node stats.
    public internal(set) var stats = PersistenceStats()
    /// Called on the loop thread when the store's health changes, with the last error
    /// (for logs). Set before ``start()``.
    public var onStoreHealthChange: ((StoreHealth, String) -> Void)?
    /// Called on the loop thread when this worker's reaper reaped a silent holder of a sale
    /// (for logs). Set before ``start()``.
    public var onLeaseReaped: ((String, ReapedHolder) -> Void)?

    let bootstrap: NodeBootstrap
    var process: ProcessCore { shard.process }

    private(set) var acks: AckRouter!
    private(set) var leases: LeaseManager!
    private(set) var groupCommit: GroupCommit!
    private(set) var limits: LimitVerifier!
    private var sweeper: ExpirySweeper!
    private(set) var sales: SaleDirectorySync!
    private var statsPublisher: NodeStatsPublisher!
    private(set) var liveness: LeaseLiveness!

    private var started = false
    /// True once the store was reached and the node bootstrapped.
    private(set) var ready = false
    private var reclaimInFlight = false
    private(set) var stopping = false
    private var shutdownCompletion: (() -> Void)?
    private var shutdownDeadline: UInt64 = 0
    private var leasesReturned = false
    private var finished = false
    private let turnHook: LoopTurnHook
    private let jobs: PeriodicJobs

    /// Creates the engine for `shard` on `loop` over `store` (call on the loop thread).
    /// `bootstrap` is the node's: one per process, shared by its workers. Nothing happens
    /// until ``start()``.
    public init(
        loop: EventLoop, shard: WorkerShard, store: any WorkerStore, bootstrap: NodeBootstrap,
        configuration: WorkerEngineConfiguration
    ) {
        self.loop = loop
        self.shard = shard
        self.store = store
        self.bootstrap = bootstrap
        self.configuration = configuration
        workerID = configuration.workerID
        turnHook = LoopTurnHook(loop: loop)
        jobs = PeriodicJobs(loop: loop)
        acks = AckRouter(engine: self)
        leases = LeaseManager(engine: self)
        groupCommit = GroupCommit(engine: self)
        limits = LimitVerifier(engine: self)
        sweeper = ExpirySweeper(engine: self)
        sales = SaleDirectorySync(engine: self)
        statsPublisher = NodeStatsPublisher(engine: self)
        liveness = LeaseLiveness(engine: self)
    }

    /// Connects and starts the group commit, timers and (once the store is reached) the
    /// node bootstrap. Purchases are answered `overloaded` until the engine is ready
    /// (``isReady``).
    public func start() {
        guard !started else { return }
        started = true
        store.onHealthChange = { [unowned self] health, error in
            self.storeHealthChanged(health)
            self.onStoreHealthChange?(health, error)
        }
        store.start()
        turnHook.start { [unowned self] in self.afterTurn() }
        jobs.every(configuration.housekeepingMillis) { [unowned self] in self.housekeeping() }
        jobs.every(configuration.statsIntervalMillis) { [unowned self] in self.statsPublisher.publish() }
        if configuration.runsExpirySweep { jobs.every(configuration.sweepIntervalMillis) { [unowned self] in self.sweeper.sweep() } }
        jobs.every(configuration.heartbeatMillis) { [unowned self] in self.liveness.beat() }
        if configuration.runsReaper { jobs.every(configuration.reapIntervalMillis) { [unowned self] in self.liveness.reap() } }
        if configuration.bootstrapsNode {
            jobs.every(configuration.saleSyncIntervalMillis) { [unowned self] in self.sales.sync(completion: nil) }
        }
    }

    /// Whether purchases are accepted now: started, not stopping, the store up, and the
    /// node bootstrapped.
    public var isReady: Bool { ready && !stopping && store.health == .up }

    /// The store's connection state.
    public var health: StoreHealth { store.health }

    /// Purchases waiting for an answer (parked for a lease, or waiting for the store).
    public var waitingPurchases: Int { acks.waitingCount }

    /// Flush latency and batch sizes since start (or the last ``resetGroupCommitSummary()``).
    public var groupCommitSummary: GroupCommitSummary { groupCommit.summary }

    /// Starts a new measurement window for ``groupCommitSummary``.
    public func resetGroupCommitSummary() { groupCommit.resetSummary() }

    /// Units this worker holds in its slices (leased, not yet sold).
    public var unitsInSlices: Int { leases.unitsInSlices }

    /// Stops taking purchases, flushes every queued order (until `shutdownTimeoutMillis`),
    /// hands this worker's leases back to the pools, closes the store and the engine's
    /// timers, then calls `completion` (on the loop thread).
    public func shutdown(completion: @escaping () -> Void) {
        guard !stopping else { return }
        stopping = true
        shutdownCompletion = completion
        shutdownDeadline = loop.nowMillis + configuration.shutdownTimeoutMillis
        // Purchases waiting for a lease will not get one now.
        shard.expireParked(now: Int64.max)
        acks.deliverParkedResolutions()
        continueShutdown()
    }

    // MARK: the work of one loop turn

    /// Runs once per loop turn, after the turn's I/O callbacks: everything the core
    /// decided during the turn leaves now (leases, then one flush per sale).
    private func afterTurn() {
        guard ready || stopping else { return }
        let now = EventLoop.wallClockMillis()
        leases.sendRequests(now: now)
        groupCommit.flushQueued()
        limits.sendWaiting()
        acks.deliverParkedResolutions()
        leases.armTailPollIfNeeded()
    }

    private func housekeeping() {
        let now = EventLoop.wallClockMillis()
        if !ready { becomeReadyIfPossible() }
        if shard.parkedCount > 0 {
            shard.expireParked(now: now)
            acks.deliverParkedResolutions()
        }
        acks.expireAckWaiters()
        leases.reconcileIfNeeded()
        limits.sendWaiting()
        if ready, !stopping { leases.housekeeping(now: now) }
        if stopping { continueShutdown() }
    }

    // MARK: readiness

    private func storeHealthChanged(_ health: StoreHealth) {
        if health == .up {
            becomeReadyIfPossible()
        } else if health == .down {
            groupCommit.dropUnsentOrders()
        }
    }

    /// Ready = store up and the node bootstrapped: worker 0 loads the sales and reclaims
    /// the node's stale leases (a restart with the same node id); the other workers wait
    /// for it before leasing anything.
    private func becomeReadyIfPossible() {
        guard !ready, !stopping, !reclaimInFlight, store.health == .up else { return }
        guard configuration.bootstrapsNode else {
            if bootstrap.isDone { ready = true }
            return
        }
        reclaimInFlight = true
        sales.sync { [unowned self] ok in
            guard ok else {
                self.reclaimInFlight = false
                return
            }
            self.store.reclaim(sales: self.process.sales.saleNames, node: self.configuration.nodeID) { [unowned self] result in
                self.reclaimInFlight = false
                guard case .success(let units) = result else { return }
                self.stats.unitsReclaimed += units
                self.bootstrap.markDone()
                self.ready = !self.stopping
            }
        }
    }

    // MARK: shutdown

    /// Drives the shutdown: called from housekeeping and after replies.
    func continueShutdown() {
        guard stopping, !finished else { return }
        let timedOut = loop.nowMillis >= shutdownDeadline
        let flushed = shard.pendingOrderCount == 0 && groupCommit.batchesInFlight == 0 && leases.leasesInFlight == 0
        if !leasesReturned {
            guard flushed || timedOut else { return }
            leasesReturned = true
            leases.returnAll()
        }
        guard leases.returnsInFlight == 0 || timedOut else { return }
        finish()
    }

    private func finish() {
        finished = true
        // Whoever still waits gets an answer.
        acks.answerEveryone(.overloaded)
        limits.answerEveryone()
        turnHook.close()
        jobs.closeAll()
        leases.close()
        store.close()
        let completion = shutdownCompletion
        shutdownCompletion = nil
        completion?()
    }

    // MARK: shared by the jobs

    /// The store released a reservation (cancel, expiry): the process's ledger follows.
    func releaseInLedger(sale: String, _ released: ReleasedOrder) {
        guard let handle = process.sales.skuHandle(sale: sale, sku: released.sku) else { return }
        process.ledger.release(Int(released.quantity), sku: handle, user: released.user)
    }
}
