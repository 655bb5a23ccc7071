import FlashSaleCore
import FlashSaleLoop

/// Slices in and out of the store's pools: sends the core's lease requests, hands back
/// idle slices, tail slices and (at shutdown) every lease, and reconciles a slice with
/// the store's lease when a reply was lost.
///
/// The tail: the last units must not stay idle in one worker's slice while another
/// worker (or node) turns buyers away. The core parks a purchase instead of answering
/// `sold_out` while the pool is empty but units are leased elsewhere; this worker then
/// polls the pool every `tailPollMillis`, and every worker hands back an idle tail slice,
/// or one a sibling starves for, from housekeeping. See docs/redis-persistence.md.
final class LeaseManager {
    private unowned let engine: WorkerEngine
    private var scratch: [LeaseRequest] = []
    private(set) var leasesInFlight = 0
    private(set) var returnsInFlight = 0
    private var reconcileNeeded = false
    private var reconcileInFlight = false
    private var nextIdleReturnAt: UInt64 = 0
    /// Re-asks for leases while purchases wait at the tail (armed only then).
    private let tailPollTimer: LoopTimer

    init(engine: WorkerEngine) {
        self.engine = engine
        tailPollTimer = LoopTimer(loop: engine.loop)
    }

    private var shard: WorkerShard { engine.shard }
    private var store: any WorkerStore { engine.store }

    /// Units this worker holds in its slices (leased, not yet sold).
    var unitsInSlices: Int {
        var total = 0
        for (sale, sku) in engine.process.sales.allSKUs {
            if let handle = shard.skuHandle(sale: sale, sku: sku) { total += shard.slice(of: handle) ?? 0 }
        }
        return total
    }

    /// Asks the store for a reconcile of every slice (after an unknown outcome).
    func requestReconcile() { reconcileNeeded = true }

    // MARK: leasing

    func sendRequests(now: Int64) {
        guard shard.hasLeaseRequests else { return }
        scratch.removeAll(keepingCapacity: true)
        shard.drainLeaseRequests { scratch.append($0) }
        for request in scratch {
            guard !engine.stopping, store.canAcceptCommand else {
                shard.leaseFailed(request.sku, now: now)
                continue
            }
            leasesInFlight += 1
            engine.stats.leaseCalls += 1
            let handle = request.sku
            let sale = request.saleName
            store.lease(sale: request.saleName, sku: request.skuName, worker: engine.workerID, want: Int64(request.units)) {
                [unowned self] result in
                self.leasesInFlight -= 1
                if case .success(.changed(let change)) = result, change.units > 0 { self.engine.liveness.noteGrant(sale: sale) }
                self.leaseAnswered(handle, result)
            }
        }
        scratch.removeAll(keepingCapacity: true)
    }

    private func leaseAnswered(_ handle: SKUHandle, _ result: Result<LeaseOutcome, StoreError>) {
        let now = EventLoop.wallClockMillis()
        switch result {
        case .success(.changed(let change)):
            engine.stats.unitsLeased += Int(change.units)
            shard.leaseGranted(
                handle, granted: Int(change.units), poolRemaining: Int(change.poolAfter),
                leasedElsewhere: Int(change.leasedElsewhere), now: now)
        case .success(.unknownSKU):
            // The store has no pool for it: nothing to sell.
            shard.leaseGranted(handle, granted: 0, poolRemaining: 0, now: now)
        case .failure(let error) where !error.surelyNotRun:
            // The grant may have happened without us learning it: reconcile the slice
            // with the store's lease once this worker has nothing in flight.
            reconcileNeeded = true
            shard.leaseFailed(handle, now: now)
        case .failure:
            shard.leaseFailed(handle, now: now)
        }
        engine.acks.deliverParkedResolutions()
        if engine.stopping { engine.continueShutdown() }
    }

    // MARK: the tail

    /// Arms the tail poll timer while purchases are parked (a no-op otherwise).
    func armTailPollIfNeeded() {
        guard shard.parkedCount > 0, !engine.stopping, !tailPollTimer.isActive else { return }
        let period = UInt64(max(1, engine.process.configuration.leasePolicy.tailPollMillis))
        tailPollTimer.start(afterMillis: period) { [unowned self] in
            guard self.engine.ready, !self.engine.stopping else { return }
            // The lease requests leave in this loop turn (afterTurn), which re-arms the timer.
            self.shard.pollTail(now: EventLoop.wallClockMillis())
        }
    }

    /// Housekeeping while ready: tail slices now, idle slices once a second.
    func housekeeping(now: Int64) {
        guard store.canAcceptCommand else { return }
        shard.returnTailSlices(now: now) { ret in
            give(back: ret, atTail: true)
        }
        if engine.loop.nowMillis >= nextIdleReturnAt {
            nextIdleReturnAt = engine.loop.nowMillis + 1000
            // Slices unused for `idleSliceReturnMillis` (and those of ended sales).
            shard.returnSlices(now: now, idleForMillis: engine.configuration.idleSliceReturnMillis) { ret in
                give(back: ret, atTail: false)
            }
        }
    }

    /// A failed return leaves the units in this worker's lease in the store; the
    /// shutdown return ("all") or a restart's reclaim hands them back.
    private func give(back ret: LeaseReturn, atTail: Bool) {
        store.returnLease(sale: ret.saleName, sku: ret.skuName, worker: engine.workerID, units: Int64(ret.units)) {
            [unowned self] result in
            guard case .success(.changed(let change)) = result else { return }
            self.engine.stats.unitsReturned += Int(change.units)
            if atTail { self.engine.stats.unitsReturnedAtTail += Int(change.units) }
        }
    }

    /// Shutdown: every lease this worker holds goes back to the pools (the whole lease,
    /// "all", so units the store holds that the slice lost track of go back too).
    func returnAll() {
        let now = EventLoop.wallClockMillis()
        shard.returnSlices(now: now, idleForMillis: nil) { _ in }
        guard store.canAcceptCommand else { return }
        for (sale, sku) in engine.process.sales.allSKUs {
            returnsInFlight += 1
            store.returnLease(sale: sale, sku: sku, worker: engine.workerID, units: nil) { [unowned self] result in
                self.returnsInFlight -= 1
                if case .success(.changed(let change)) = result { self.engine.stats.unitsReturned += Int(change.units) }
                self.engine.continueShutdown()
            }
        }
    }

    // MARK: reconcile

    /// After a lease reply was lost, sets each slice to what the store's lease says. Runs
    /// only when this worker has no order or lease in flight, so the store's lease then
    /// equals the true slice; units sold while the read is in flight are subtracted at
    /// the reply.
    func reconcileIfNeeded() {
        guard reconcileNeeded, !reconcileInFlight, engine.ready, !engine.stopping, store.canAcceptCommand,
            shard.pendingOrderCount == 0, engine.groupCommit.batchesInFlight == 0, leasesInFlight == 0
        else { return }
        var targets: [(handle: SKUHandle, sliceAtSend: Int)] = []
        var skus: [(sale: String, sku: String)] = []
        for (sale, sku) in engine.process.sales.allSKUs {
            guard let handle = shard.skuHandle(sale: sale, sku: sku) else { continue }
            targets.append((handle, shard.slice(of: handle) ?? 0))
            skus.append((sale, sku))
        }
        reconcileNeeded = false
        reconcileInFlight = true
        store.leasesHeld(skus, worker: engine.workerID) { [unowned self] results in
            self.reconcileInFlight = false
            let now = EventLoop.wallClockMillis()
            for (target, result) in zip(targets, results) {
                guard case .success(let held) = result else {
                    self.reconcileNeeded = true
                    continue
                }
                let soldSince = max(0, target.sliceAtSend - (self.shard.slice(of: target.handle) ?? 0))
                let corrected = max(0, Int(held) - soldSince)
                if corrected != self.shard.slice(of: target.handle) {
                    self.engine.stats.sliceCorrections += 1
                    self.shard.setSlice(corrected, of: target.handle, poolRemaining: nil, now: now)
                }
            }
            self.engine.acks.deliverParkedResolutions()
        }
    }

    func close() { tailPollTimer.close() }
}
