extension WorkerShard {
    func queueLease(_ s: Int, _ k: Int, units: Int) {
        sales[s].skus[k].lease = .queued
        sales[s].skus[k].requestedUnits = max(1, units)
        leaseWanted.append(sales[s].skus[k].handle)
    }

    /// Prefetch: ask for the next lease once the slice is at the low watermark.
    @inline(__always)
    func requestLeaseIfLow(_ s: Int, _ k: Int, now: Int64) {
        guard sales[s].skus[k].lease == .idle, !sales[s].skus[k].poolKnownEmpty else { return }
        let pool = sales[s].skus[k].poolEstimate
        guard pool > 0, sales[s].skus[k].slice <= policy.lowWatermark(lastLeaseSize: sales[s].skus[k].lastLeaseSize)
        else { return }
        queueLease(s, k, units: policy.leaseSize(poolRemaining: pool))
    }

    /// True when leases are waiting to be drained.
    public var hasLeaseRequests: Bool { !leaseWanted.isEmpty }

    /// Hands every wanted lease to `body` (at most one per SKU in flight) and marks it in
    /// flight. Call once per loop turn; answer each with `leaseGranted` or `leaseFailed`
    /// (also allowed from inside `body`).
    public func drainLeaseRequests(_ body: (LeaseRequest) -> Void) {
        guard !leaseWanted.isEmpty else { return }
        // Swapped out so that `body` may call back into the shard (which may queue leases).
        var wanted: [SKUHandle] = []
        swap(&wanted, &leaseWanted)
        for handle in wanted {
            guard let (s, k) = indices(of: handle), sales[s].skus[k].lease == .queued else { continue }
            sales[s].skus[k].lease = .inFlight
            body(LeaseRequest(
                sku: handle, saleName: sales[s].name, skuName: sales[s].skus[k].name,
                units: sales[s].skus[k].requestedUnits))
        }
        wanted.removeAll(keepingCapacity: true)
        if leaseWanted.isEmpty { swap(&wanted, &leaseWanted) }
    }

    /// Asks for the first lease of every SKU of the sales that are live or start within
    /// `startingWithinMillis`, so the first buyers do not wait for one. Drain afterwards.
    public func prefetchLeases(now: Int64, startingWithinMillis: Int64) {
        syncIfNeeded()
        for s in sales.indices {
            let config = sales[s].config
            guard now < config.endsAtMillis, config.startsAtMillis - now <= startingWithinMillis else { continue }
            for k in sales[s].skus.indices {
                let sku = sales[s].skus[k]
                guard sku.exists, sku.lease == .idle, sku.slice == 0, !sku.poolKnownEmpty, sku.poolEstimate > 0
                else { continue }
                queueLease(s, k, units: policy.leaseSize(poolRemaining: sku.poolEstimate))
            }
        }
    }

    /// The lease script answered: `granted` units now belong to this worker's slice, and
    /// `poolRemaining` units are left in the pool; `leasedElsewhere` is what the leases of
    /// the other workers (all nodes) hold when the pool could not cover the lease (0 if not
    /// reported).
    /// Parked purchases of the SKU are decided again (collect them with
    /// `drainParkedResolutions`): while the pool is empty and units are leased elsewhere
    /// they stay parked (see `pollTail`); with nothing leased elsewhere they are sold out.
    public func leaseGranted(
        _ handle: SKUHandle, granted: Int, poolRemaining: Int, leasedElsewhere: Int = 0, now: Int64
    ) {
        guard let (s, k) = indices(of: handle) else { return }
        let units = max(0, granted)
        sales[s].skus[k].lease = .idle
        sales[s].skus[k].slice += units
        sales[s].skus[k].poolEstimate = max(0, poolRemaining)
        sales[s].skus[k].poolKnownEmpty = poolRemaining <= 0
        sales[s].skus[k].leasedElsewhere = max(0, leasedElsewhere)
        // The answer is fresh news of the pool: the next tail poll waits a full interval.
        sales[s].skus[k].tailPolledAtMillis = now
        if poolRemaining <= 0 { sales[s].skus[k].emptyCheckedAtMillis = now }
        if units > 0 {
            sales[s].skus[k].lastLeaseSize = units
            // A fresh slice is not idle (see `returnTailSlices`).
            sales[s].skus[k].lastActivityMillis = max(sales[s].skus[k].lastActivityMillis, now)
        }
        resolveParked(s, k, now: now)
    }

    /// The lease could not be obtained (Redis unreachable or erroring): parked purchases of
    /// the SKU are answered `overloaded`; the next purchase asks again.
    public func leaseFailed(_ handle: SKUHandle, now: Int64) {
        guard let (s, k) = indices(of: handle) else { return }
        sales[s].skus[k].lease = .idle
        answerParked(now: now) { $0.sku == handle }
    }

    /// Redis wins: sets this worker's slice of a SKU to what its lease in Redis holds (e.g.
    /// after a reclaim or a restart), and optionally what the pool holds.
    public func setSlice(_ units: Int, of handle: SKUHandle, poolRemaining: Int?, now: Int64) {
        guard let (s, k) = indices(of: handle) else { return }
        sales[s].skus[k].slice = max(0, units)
        if let poolRemaining { notePool(s, k, poolRemaining, now: now) }
        resolveParked(s, k, now: now)
    }

    /// Tells the worker how many units the pool holds (e.g. after a cancel or expiry script
    /// returned units to it), so it stops answering sold out at once.
    public func notePoolRemaining(_ poolRemaining: Int, of handle: SKUHandle, now: Int64) {
        guard let (s, k) = indices(of: handle) else { return }
        notePool(s, k, poolRemaining, now: now)
    }

    func notePool(_ s: Int, _ k: Int, _ poolRemaining: Int, now: Int64) {
        sales[s].skus[k].poolEstimate = max(0, poolRemaining)
        sales[s].skus[k].poolKnownEmpty = poolRemaining <= 0
        if poolRemaining <= 0 { sales[s].skus[k].emptyCheckedAtMillis = now }
    }

    /// This worker's unsold leased units of a SKU.
    public func slice(of handle: SKUHandle) -> Int? {
        guard let (s, k) = indices(of: handle) else { return nil }
        return sales[s].skus[k].slice
    }

    /// Takes slices out to hand back to the pool: all of them when `idleForMillis` is nil
    /// (shutdown), else those of SKUs with no sale for `idleForMillis` and those of ended
    /// sales. The slice drops to 0 at once; `body` must run the return script. A lease still
    /// in flight is not included: return its grant when it arrives if shutting down.
    public func returnSlices(now: Int64, idleForMillis: Int64?, _ body: (LeaseReturn) -> Void) {
        syncIfNeeded()
        for s in sales.indices {
            let ended = now >= sales[s].config.endsAtMillis
            for k in sales[s].skus.indices {
                let sku = sales[s].skus[k]
                guard sku.slice > 0 else { continue }
                if let idle = idleForMillis, !ended, now - sku.lastActivityMillis < idle || sku.parkedCount > 0 {
                    continue
                }
                sales[s].skus[k].slice = 0
                sales[s].skus[k].poolEstimate += sku.slice
                sales[s].skus[k].poolKnownEmpty = false
                body(LeaseReturn(sku: sku.handle, saleName: sales[s].name, skuName: sku.name, units: sku.slice))
            }
        }
    }

    /// The tail, starving side: for every SKU with purchases parked while no lease is
    /// queued or in flight (they wait for units leased to other workers), asks for a lease
    /// again if the last one is `tailPollMillis` old. Call from a timer while `parkedCount`
    /// is above 0 (e.g. every `tailPollMillis`), then drain the lease requests.
    public func pollTail(now: Int64) {
        guard !parked.isEmpty else { return }
        syncIfNeeded()
        for s in sales.indices {
            for k in sales[s].skus.indices {
                let sku = sales[s].skus[k]
                guard sku.parkedCount > 0, sku.lease == .idle, now - sku.tailPolledAtMillis >= policy.tailPollMillis
                else { continue }
                var wanted = 0
                for entry in parked where entry.sku == sku.handle { wanted += entry.qty }
                sales[s].skus[k].tailPolledAtMillis = now
                queueLease(s, k, units: max(policy.minLease, wanted - sku.slice))
                process.tailDemand.signal(sku.handle, now: now)
            }
        }
    }

    /// The tail, holding side: takes out the slices another worker may need more, of SKUs
    /// with no purchase parked here: those a sibling of this process starved for since this
    /// worker last sold or was granted units (`ProcessCore.tailDemand`), and those whose
    /// pool is (about) empty (`LeasePolicy.isTail`) that have not sold or been granted units
    /// for `tailIdleReturnMillis` (for other nodes, which cannot signal). The slice drops
    /// to 0 at once; `body` must run the return script. Call from housekeeping (e.g. every
    /// 25 ms): a pass over the SKUs, and a look at the board only once one was signalled.
    public func returnTailSlices(now: Int64, _ body: (LeaseReturn) -> Void) {
        syncIfNeeded()
        let board = process.tailDemand
        let anyDemand = board.version != 0
        for s in sales.indices {
            for k in sales[s].skus.indices {
                let sku = sales[s].skus[k]
                guard sku.slice > 0, sku.parkedCount == 0 else { continue }
                let idleAtTail = (sku.poolKnownEmpty || policy.isTail(poolRemaining: sku.poolEstimate))
                    && now - sku.lastActivityMillis >= policy.tailIdleReturnMillis
                guard idleAtTail || (anyDemand && (board.demandedAt(sku.handle) ?? Int64.min) >= sku.lastActivityMillis)
                else { continue }
                sales[s].skus[k].slice = 0
                sales[s].skus[k].poolEstimate += sku.slice
                sales[s].skus[k].poolKnownEmpty = false
                body(LeaseReturn(sku: sku.handle, saleName: sales[s].name, skuName: sku.name, units: sku.slice))
            }
        }
    }
}
