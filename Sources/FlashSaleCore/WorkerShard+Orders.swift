extension WorkerShard {
    /// Orders decided and not yet confirmed or rejected by Redis (queued + in flight).
    public var pendingOrderCount: Int { pending.count }

    /// Orders waiting to be drained.
    public var queuedOrderCount: Int { queue.count }

    /// Bytes of table storage held for pending orders (dictionary buckets and the queue
    /// ring, not the user/key String heap storage): see docs/core.md for bytes per order.
    public var pendingTableBytes: Int {
        pending.capacity * (MemoryLayout<OrderID>.stride + MemoryLayout<PendingRecord>.stride)
            + queue.storageCapacity * MemoryLayout<OrderID?>.stride
    }

    /// Moves up to `maxCount` queued orders, oldest first, to the end of `batch` and marks
    /// them in flight; returns how many. Reuse `batch` (`removeAll(keepingCapacity: true)`)
    /// from turn to turn so draining allocates nothing. Answer every order with
    /// `orderFlushed`.
    @discardableResult
    public func drainPendingOrders(maxCount: Int, into batch: inout [PendingOrder]) -> Int {
        var moved = 0
        while moved < maxCount, let id = queue.removeFirst() {
            guard let record = pending[id] else { continue }
            batch.append(record.order)
            moved += 1
        }
        return moved
    }

    /// Takes Redis's answer for one drained order. Returns the final answer for a client
    /// still waiting on it (`--ack persisted`), or nil if the order is unknown or goes back
    /// to the queue (`.retry`):
    /// - `.confirmed` -> `.reserved(order)`;
    /// - `.rejected(.limit)` -> `.limitExceeded` (ledger and slice rolled back);
    /// - `.rejected(.idempotency(existing, sameBody: true))` -> `.duplicate(existing)`, or
    ///   `.overloaded` when Redis did not name it; `sameBody: false` -> `.idempotencyKeyReused`;
    /// - `.rejected(.lease)` and `.rejected(.other)` -> `.overloaded` (retryable).
    @discardableResult
    public func orderFlushed(_ id: OrderID, outcome: FlushOutcome, now: Int64) -> PurchaseDecision? {
        guard let record = pending[id] else { return nil }
        let order = record.order
        switch outcome {
        case .confirmed:
            pending[id] = nil
            return .reserved(order.reservation)
        case .retry:
            queue.prepend(id)
            return nil
        case .rejected(let reason):
            pending[id] = nil
            var unitsHeld: Int?
            var replacement: ReservedOrder?
            var returnsUnits = true
            let answer: PurchaseDecision
            switch reason {
            case .lease:
                returnsUnits = false
                answer = .overloaded
            case .limit(let held):
                unitsHeld = held
                answer = .limitExceeded
            case .idempotency(let existing, let sameBody):
                if !sameBody {
                    answer = .idempotencyKeyReused
                } else if let existing {
                    replacement = existing
                    answer = .duplicate(existing)
                } else {
                    answer = .overloaded
                }
            case .other:
                answer = .overloaded
            }
            ledger.rollback(
                record.keys, qty: order.qty, idempotency: record.idempotency, fingerprint: order.fingerprint,
                orderID: id, unitsHeldInRedis: unitsHeld, replacement: replacement, now: now)
            if returnsUnits, let (s, k) = indices(of: order.sku) {
                sales[s].skus[k].slice += order.qty
                resolveParked(s, k, now: now)
            }
            return answer
        }
    }
}
