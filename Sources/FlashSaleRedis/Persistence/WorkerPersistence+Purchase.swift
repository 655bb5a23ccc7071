import FlashSaleCore
import FlashSaleLoop

extension WorkerPersistence {
    /// Decides a purchase with the core and calls `completion` exactly once, on the loop
    /// thread, with the final answer (never `.parked`). Under `--ack persisted` a
    /// `.reserved` answer is given only once Redis has the order.
    ///
    /// Answers `overloaded` at once while Redis is not up, the engine is not ready or is
    /// stopping. May call `completion` before returning.
    public func purchase(
        sale: String, sku: String, user: String, qty: Int, idempotencyKey: String?,
        completion: @escaping (PurchaseDecision) -> Void
    ) {
        stats.requests += 1
        guard isReady else { return answer(.overloaded, completion) }
        let now = EventLoop.wallClockMillis()
        let decision = shard.purchase(sale: sale, sku: sku, user: user, qty: qty, idempotencyKey: idempotencyKey, now: now)
        route(decision, completion)
    }

    /// The same as ``purchase(sale:sku:user:qty:idempotencyKey:completion:)`` from UTF-8
    /// bytes (e.g. slices of an HTTP read buffer, needed only during the call).
    public func purchase(
        saleUTF8: UnsafeRawBufferPointer, skuUTF8: UnsafeRawBufferPointer, userUTF8: UnsafeRawBufferPointer,
        qty: Int, idempotencyKeyUTF8: UnsafeRawBufferPointer?, completion: @escaping (PurchaseDecision) -> Void
    ) {
        stats.requests += 1
        guard isReady else { return answer(.overloaded, completion) }
        let now = EventLoop.wallClockMillis()
        let decision = shard.purchase(
            saleUTF8: saleUTF8, skuUTF8: skuUTF8, userUTF8: userUTF8, qty: qty,
            idempotencyKeyUTF8: idempotencyKeyUTF8, now: now)
        route(decision, completion)
    }

    /// Purchases waiting for an answer: parked (lease in flight) plus, under `--ack
    /// persisted`, orders waiting for Redis.
    public var waitingPurchases: Int { parkedWaiters.count + ackWaiters.count }

    func route(_ decision: PurchaseDecision, _ completion: @escaping (PurchaseDecision) -> Void) {
        switch decision {
        case .parked(let ticket):
            stats.parked += 1
            parkedWaiters[ticket] = completion
        case .reserved(let order):
            if configuration.ackMode == .persisted {
                ackWaiters[order.id] = AckWaiter(first: completion)
                ackDeadlines.append((order.id, loop.nowMillis + configuration.ackTimeoutMillis))
            } else {
                answer(decision, completion)
            }
        case .duplicate(let order):
            // The first answer for this order may still wait for Redis: wait with it.
            if ackWaiters[order.id] != nil {
                ackWaiters[order.id]!.more.append(completion)
            } else {
                answer(decision, completion)
            }
        default:
            answer(decision, completion)
        }
    }

    func answer(_ decision: PurchaseDecision, _ completion: (PurchaseDecision) -> Void) {
        stats.count(decision)
        completion(decision)
    }

    /// Redis (or the core's rollback) gave the final answer for an order.
    func orderAnswered(_ id: OrderID, _ decision: PurchaseDecision) {
        if let waiter = ackWaiters.removeValue(forKey: id) {
            waiter.answer(decision, stats: &stats)
        } else if configuration.ackMode == .reserved, decision.order == nil || isDuplicate(decision) {
            // Answered 201 already; Redis refused it afterwards.
            stats.ackedThenRejected += 1
        }
    }

    private func isDuplicate(_ decision: PurchaseDecision) -> Bool {
        if case .duplicate = decision { return true }
        return false
    }

    /// Parked purchases the core decided again (after a grant, a rollback or a timeout).
    func deliverParkedResolutions(now: Int64) {
        guard shard.hasParkedResolutions else { return }
        resolvedScratch.removeAll(keepingCapacity: true)
        shard.drainParkedResolutions { ticket, decision in resolvedScratch.append((ticket, decision)) }
        for (ticket, decision) in resolvedScratch {
            guard let completion = parkedWaiters.removeValue(forKey: ticket) else { continue }
            route(decision, completion)
        }
        resolvedScratch.removeAll(keepingCapacity: true)
    }

    /// `--ack persisted`: waiters past `ackTimeoutMillis` get `overloaded`.
    func expireAckWaiters() {
        let now = loop.nowMillis
        while let head = ackDeadlines.first, head.deadline <= now {
            ackDeadlines.popFirst()
            guard let waiter = ackWaiters.removeValue(forKey: head.id) else { continue }
            stats.ackTimeouts += 1
            waiter.answer(.overloaded, stats: &stats)
        }
        if ackWaiters.isEmpty { ackDeadlines.removeAll() }
    }
}
