extension WorkerShard {
    /// Purchases parked now.
    public var parkedCount: Int { parked.count }

    /// True when parked purchases have been decided and wait for `drainParkedResolutions`.
    public var hasParkedResolutions: Bool { !resolutions.isEmpty }

    /// Hands each decided parked purchase to `body` (ticket, final decision, never
    /// `.parked`). Call after `leaseGranted`, `leaseFailed`, `setSlice`, `orderFlushed` and
    /// `expireParked`, all of which may decide parked purchases.
    public func drainParkedResolutions(_ body: (ParkTicket, PurchaseDecision) -> Void) {
        guard !resolutions.isEmpty else { return }
        // Swapped out so that `body` may call back into the shard.
        var decided: [(ParkTicket, PurchaseDecision)] = []
        swap(&decided, &resolutions)
        for (ticket, decision) in decided { body(ticket, decision) }
        decided.removeAll(keepingCapacity: true)
        if resolutions.isEmpty { swap(&decided, &resolutions) }
    }

    /// Answers `overloaded` to purchases parked for `parkTimeoutMillis` or longer. Call from
    /// a timer (e.g. every 50 ms).
    public func expireParked(now: Int64) {
        let timeout = parkTimeoutMillis
        answerParked(now: now) { now - $0.parkedAtMillis >= timeout }
    }

    /// Decides again, in arrival order, the parked purchases of one SKU whose stock changed.
    func resolveParked(_ s: Int, _ k: Int, now: Int64) {
        guard sales[s].skus[k].parkedCount > 0 else { return }
        let handle = sales[s].skus[k].handle
        var list: [ParkedPurchase] = []
        swap(&list, &parked)
        var kept = 0
        for index in list.indices {
            let entry = list[index]
            if entry.sku == handle {
                let decision = decide(
                    s, k, user: entry.user, idempotencyKey: entry.idempotencyKey, qty: entry.qty, now: now,
                    ticket: entry.ticket)
                if case .parked = decision {
                    list[kept] = entry
                    kept += 1
                } else {
                    sales[s].skus[k].parkedCount -= 1
                    resolutions.append((entry.ticket, decision))
                }
            } else {
                list[kept] = entry
                kept += 1
            }
        }
        list.removeLast(list.count - kept)
        swap(&list, &parked)
    }

    /// Answers `overloaded` to the parked purchases `matching` selects.
    func answerParked(now: Int64, matching: (ParkedPurchase) -> Bool) {
        guard !parked.isEmpty else { return }
        var kept = 0
        for index in parked.indices {
            let entry = parked[index]
            if matching(entry) {
                if let (s, k) = indices(of: entry.sku) { sales[s].skus[k].parkedCount -= 1 }
                resolutions.append((entry.ticket, .overloaded))
            } else {
                parked[kept] = entry
                kept += 1
            }
        }
        parked.removeLast(parked.count - kept)
    }
}
