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
        if decision == .limitExceeded, shouldVerifyLimit(sale: sale, qty: qty) {
            return verifyLimit(sale: sale, sku: sku, user: user, qty: qty, idempotencyKey: idempotencyKey, completion)
        }
        route(decision, completion)
    }

    /// The same as ``purchase(sale:sku:user:qty:idempotencyKey:completion:)`` from UTF-8
    /// bytes (e.g. slices of an HTTP read buffer, needed only during the call).
    public func purchase(
        saleUTF8: UnsafeRawBufferPointer, skuUTF8: UnsafeRawBufferPointer, userUTF8: UnsafeRawBufferPointer,
        qty: Int, idempotencyKeyUTF8: UnsafeRawBufferPointer?, completion: @escaping (PurchaseDecision) -> Void
    ) {
        let progress = purchase(
            saleUTF8: saleUTF8, skuUTF8: skuUTF8, userUTF8: userUTF8, qty: qty, idempotencyKeyUTF8: idempotencyKeyUTF8,
            waiter: { completion })
        if case .decided(let decision) = progress { completion(decision) }
    }

    /// The hot-path form: decides from UTF-8 bytes and returns a decision known now
    /// (the common case: sold out, refused, or reserved under `--ack reserved`) without
    /// allocating. Only when the answer must wait (parked for a lease, `--ack persisted`,
    /// a limit check against Redis) is `waiter` called, once, for the completion that
    /// gets the final answer later; the result is then ``PurchaseProgress/waiting``.
    public func purchase(
        saleUTF8: UnsafeRawBufferPointer, skuUTF8: UnsafeRawBufferPointer, userUTF8: UnsafeRawBufferPointer,
        qty: Int, idempotencyKeyUTF8: UnsafeRawBufferPointer?, waiter: () -> (PurchaseDecision) -> Void
    ) -> PurchaseProgress {
        stats.requests += 1
        guard isReady else {
            stats.count(.overloaded)
            return .decided(.overloaded)
        }
        let now = EventLoop.wallClockMillis()
        let decision = shard.purchase(
            saleUTF8: saleUTF8, skuUTF8: skuUTF8, userUTF8: userUTF8, qty: qty,
            idempotencyKeyUTF8: idempotencyKeyUTF8, now: now)
        if decision == .limitExceeded {
            // Rare path: Strings only here.
            let sale = String(decoding: saleUTF8, as: UTF8.self)
            if shouldVerifyLimit(sale: sale, qty: qty) {
                verifyLimit(
                    sale: sale, sku: String(decoding: skuUTF8, as: UTF8.self), user: String(decoding: userUTF8, as: UTF8.self),
                    qty: qty, idempotencyKey: idempotencyKeyUTF8.map { String(decoding: $0, as: UTF8.self) }, waiter())
                return .waiting
            }
        }
        guard mustWait(decision) else {
            stats.count(decision)
            return .decided(decision)
        }
        route(decision, waiter())
        return .waiting
    }

    /// Whether ``route(_:_:)`` would keep the completion for later rather than answer now.
    @inline(__always)
    private func mustWait(_ decision: PurchaseDecision) -> Bool {
        switch decision {
        case .parked: return true
        case .reserved: return configuration.ackMode == .persisted
        case .duplicate(let order): return ackWaiters[order.id] != nil
        default: return false
        }
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

extension WorkerPersistence {
    /// Whether a local `limit_exceeded` is worth checking against Redis: the limit is not
    /// exceeded by the quantity alone, and few checks are in flight.
    func shouldVerifyLimit(sale: String, qty: Int) -> Bool {
        guard configuration.verifiesLimitWithRedis, limitChecksInFlight < configuration.maxLimitChecksInFlight,
            client.canAcceptCommand, let config = process.sales.config(sale: sale)
        else { return false }
        return qty <= config.perUserLimit
    }

    /// The process's ledger may still count units of orders another node cancelled or
    /// expired (this process only hears of its own releases). Before answering
    /// `limit_exceeded`, read the buyer's units in Redis; if Redis allows the purchase,
    /// correct the ledger (Redis wins) and decide again. The flush re-checks the limit
    /// atomically, so a stale read can cost a retry, never a unit over the limit.
    func verifyLimit(
        sale: String, sku: String, user: String, qty: Int, idempotencyKey: String?,
        _ completion: @escaping (PurchaseDecision) -> Void
    ) {
        limitChecksInFlight += 1
        stats.limitChecks += 1
        if limitChecksWaiting.isEmpty { limitChecksWaitingSince = loop.nowMillis }
        limitChecksWaiting.append(LimitCheck(
            sale: sale, sku: sku, user: user, qty: qty, idempotencyKey: idempotencyKey, completion: completion))
    }

    /// Sends the waiting limit checks once this worker's queue is flushed, so the read
    /// comes after every order this worker decided (same connection, in order): a buyer's
    /// own unflushed order is never mistaken for a stale ledger entry.
    func sendLimitChecks() {
        // Under sustained load the queue may never be empty: then send after 50 ms anyway.
        guard !limitChecksWaiting.isEmpty,
            shard.queuedOrderCount == 0 || !client.canAcceptCommand || loop.nowMillis >= limitChecksWaitingSince + 50
        else { return }
        let checks = limitChecksWaiting
        limitChecksWaiting.removeAll()
        for check in checks {
            guard client.canAcceptCommand else {
                limitChecksInFlight -= 1
                answer(.limitExceeded, check.completion)
                continue
            }
            client.send(["HGET", FlashSaleKeys(sale: check.sale).buyers(check.sku), check.user]) { [unowned self] result in
                self.limitChecksInFlight -= 1
                self.limitChecked(check, result)
            }
        }
    }

    private func limitChecked(_ check: LimitCheck, _ result: Result<RedisValue, RedisError>) {
        guard case .success(let value) = result, let config = process.sales.config(sale: check.sale),
            let handle = shard.skuHandle(sale: check.sale, sku: check.sku), !stopping
        else { return answer(.limitExceeded, check.completion) }
        let held = Int(value.int ?? 0)
        guard held + check.qty <= config.perUserLimit, held < process.ledger.unitsHeld(sku: handle, user: check.user) else {
            return answer(.limitExceeded, check.completion)
        }
        stats.limitCorrections += 1
        process.ledger.setUnitsHeld(held, sku: handle, user: check.user)
        let decision = shard.purchase(
            sale: check.sale, sku: check.sku, user: check.user, qty: check.qty, idempotencyKey: check.idempotencyKey,
            now: EventLoop.wallClockMillis())
        route(decision, check.completion)
    }
}

/// A local `limit_exceeded` waiting to be checked against Redis.
struct LimitCheck {
    let sale: String
    let sku: String
    let user: String
    let qty: Int
    let idempotencyKey: String?
    let completion: (PurchaseDecision) -> Void
}

/// What a purchase came to when ``WorkerPersistence/purchase(saleUTF8:skuUTF8:userUTF8:qty:idempotencyKeyUTF8:waiter:)``
/// returned.
public enum PurchaseProgress: Sendable {
    /// The final answer, known now (the waiter was not called).
    case decided(PurchaseDecision)
    /// The answer comes later, through the completion the waiter returned.
    case waiting
}
