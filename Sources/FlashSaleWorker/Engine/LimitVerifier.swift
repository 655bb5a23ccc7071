import FlashSaleCore
import FlashSaleLoop

/// Checks a local `limit_exceeded` against the store before answering it.
///
/// The process's ledger may still count units of orders another node cancelled or
/// expired (this process only hears of its own releases). Before answering
/// `limit_exceeded`, read the buyer's units in the store; if the store allows the
/// purchase, correct the ledger (the store wins) and decide again. The flush re-checks
/// the limit atomically, so a stale read can cost a retry, never a unit over the limit.
final class LimitVerifier {
    private unowned let engine: WorkerEngine
    private var inFlight = 0
    private var waiting: [LimitCheck] = []
    private var waitingSince: UInt64 = 0

    init(engine: WorkerEngine) {
        self.engine = engine
    }

    /// Whether a local `limit_exceeded` is worth checking: the limit is not exceeded by
    /// the quantity alone, and few checks are in flight.
    func shouldVerify(sale: String, qty: Int) -> Bool {
        let configuration = engine.configuration
        guard configuration.verifiesLimitWithRedis, inFlight < configuration.maxLimitChecksInFlight,
            engine.store.canAcceptCommand, let config = engine.process.sales.config(sale: sale)
        else { return false }
        return qty <= config.perUserLimit
    }

    /// Queues a check; `completion` gets the final answer.
    func verify(
        sale: String, sku: String, user: String, qty: Int, idempotencyKey: String?,
        _ completion: @escaping (PurchaseDecision) -> Void
    ) {
        inFlight += 1
        engine.stats.limitChecks += 1
        if waiting.isEmpty { waitingSince = engine.loop.nowMillis }
        waiting.append(LimitCheck(
            sale: sale, sku: sku, user: user, qty: qty, idempotencyKey: idempotencyKey, completion: completion))
    }

    /// Sends the waiting checks once this worker's queue is flushed, so the read comes
    /// after every order this worker decided (same connection, in order): a buyer's own
    /// unflushed order is never mistaken for a stale ledger entry.
    func sendWaiting() {
        // Under sustained load the queue may never be empty: then send after 50 ms anyway.
        guard !waiting.isEmpty,
            engine.shard.queuedOrderCount == 0 || !engine.store.canAcceptCommand
                || engine.loop.nowMillis >= waitingSince + 50
        else { return }
        let checks = waiting
        waiting.removeAll()
        for check in checks {
            guard engine.store.canAcceptCommand else {
                inFlight -= 1
                engine.acks.answer(.limitExceeded, check.completion)
                continue
            }
            engine.store.unitsHeld(sale: check.sale, sku: check.sku, user: check.user) { [unowned self] result in
                self.inFlight -= 1
                self.checked(check, result)
            }
        }
    }

    private func checked(_ check: LimitCheck, _ result: Result<Int64, StoreError>) {
        let process = engine.process
        guard case .success(let units) = result, let config = process.sales.config(sale: check.sale),
            let handle = engine.shard.skuHandle(sale: check.sale, sku: check.sku), !engine.stopping
        else { return engine.acks.answer(.limitExceeded, check.completion) }
        let held = Int(units)
        guard held + check.qty <= config.perUserLimit, held < process.ledger.unitsHeld(sku: handle, user: check.user) else {
            return engine.acks.answer(.limitExceeded, check.completion)
        }
        engine.stats.limitCorrections += 1
        process.ledger.setUnitsHeld(held, sku: handle, user: check.user)
        let decision = engine.shard.purchase(
            sale: check.sale, sku: check.sku, user: check.user, qty: check.qty, idempotencyKey: check.idempotencyKey,
            now: EventLoop.wallClockMillis())
        engine.acks.route(decision, check.completion)
    }

    /// At the end of a shutdown: checks not sent yet are answered from the ledger.
    func answerEveryone() {
        let checks = waiting
        waiting.removeAll()
        for check in checks { engine.acks.answer(.limitExceeded, check.completion) }
    }
}

/// A local `limit_exceeded` waiting to be checked against the store.
private struct LimitCheck {
    let sale: String
    let sku: String
    let user: String
    let qty: Int
    let idempotencyKey: String?
    let completion: (PurchaseDecision) -> Void
}
