extension WorkerShard {
    /// Orders decided and not yet confirmed or rejected by Redis (queued + in flight).
    public var pendingOrderCount: Int { pending.count }

    /// Orders waiting to be drained.
    public var queuedOrderCount: Int { queue.count }

    /// Bytes of table storage held for pending orders (dictionary buckets and the queue
    /// ring, not the user/key String heap storage): see docs/core.md for bytes per order.
    public var pendingTableBytes: Int {
        pending.slotCount * (MemoryLayout<OrderID>.stride + MemoryLayout<PendingRecord>.stride)
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
            guard let record = pending[id], let (s, k) = indices(of: record.sku) else { continue }
            let qty = Int(record.qty)
            // qty <= per_user_limit <= 10^6 and price <= 10^12: the product fits (SaleItem.amount).
            let amount = SaleItem.amount(price: sales[s].skus[k].price, quantity: qty) ?? 0
            batch.append(PendingOrder(
                id: id, sku: record.sku, saleName: sales[s].name, skuName: sales[s].skus[k].name, user: record.user,
                qty: qty, idempotencyKey: record.idempotencyKey,
                // A sale's salt is written once, when Redis creates the sale, and a sale is
                // installed only as read back from Redis: the salt now is the one at decision.
                orderIDFromKey: record.idempotencyKey != nil && sales[s].orderIDSalt != nil,
                keyInRecord: sales[s].orderIDSalt == nil, createdAtMillis: record.createdAtMillis,
                expiresAtMillis: record.expiresAtMillis, amountMinorUnits: amount))
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
        if case .retry = outcome {
            guard pending[id] != nil else { return nil }
            queue.prepend(id)
            return nil
        }
        guard let record = pending.remove(id) else { return nil }
        let qty = Int(record.qty)
        let reservation = ReservedOrder(
            id: id, sku: record.sku, qty: qty, createdAtMillis: record.createdAtMillis,
            expiresAtMillis: record.expiresAtMillis)
        guard case .rejected(let reason) = outcome else { return .reserved(reservation) }
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
        let indices = indices(of: record.sku)
        let fingerprint = indices.map { RequestFingerprint.continuing(sales[$0.0].skus[$0.1].fingerprintBase, qty: qty) } ?? 0
        ledger.rollback(
            record.keys, qty: qty, idempotency: record.idempotency == .vacant ? nil : record.idempotency,
            fingerprint: fingerprint, orderID: id, unitsHeldInRedis: unitsHeld, replacement: replacement, now: now)
        if returnsUnits, let (s, k) = indices {
            sales[s].skus[k].slice += qty
            resolveParked(s, k, now: now)
        }
        return answer
    }
}
