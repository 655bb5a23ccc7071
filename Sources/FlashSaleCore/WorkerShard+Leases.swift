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
    /// `poolRemaining` units are left in the pool. Parked purchases of the SKU are decided
    /// again (collect them with `drainParkedResolutions`).
    public func leaseGranted(_ handle: SKUHandle, granted: Int, poolRemaining: Int, now: Int64) {
        guard let (s, k) = indices(of: handle) else { return }
        let units = max(0, granted)
        sales[s].skus[k].lease = .idle
        sales[s].skus[k].slice += units
        sales[s].skus[k].poolEstimate = max(0, poolRemaining)
        sales[s].skus[k].poolKnownEmpty = poolRemaining <= 0
        if poolRemaining <= 0 { sales[s].skus[k].emptyCheckedAtMillis = now }
        if units > 0 { sales[s].skus[k].lastLeaseSize = units }
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
}
