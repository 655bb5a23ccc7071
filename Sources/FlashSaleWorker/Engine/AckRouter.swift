import FlashSaleCore
import FlashSaleLoop

/// Who waits for which answer: purchases parked for a lease, and (`--ack persisted`)
/// purchases waiting for the store to acknowledge their order. It gives every waiting
/// completion exactly one final answer, and counts it in the engine's stats.
final class AckRouter {
    private unowned let engine: WorkerEngine
    private var parkedWaiters: [ParkTicket: (PurchaseDecision) -> Void] = [:]
    private var ackWaiters: [OrderID: AckWaiter] = [:]
    private var ackDeadlines = FIFO<(id: OrderID, deadline: UInt64)>()
    private var resolvedScratch: [(ParkTicket, PurchaseDecision)] = []

    init(engine: WorkerEngine) {
        self.engine = engine
    }

    /// Purchases waiting for an answer.
    var waitingCount: Int { parkedWaiters.count + ackWaiters.count }
    /// Purchases waiting for the store's acknowledgement.
    var ackWaitingCount: Int { ackWaiters.count }

    /// Whether ``route(_:_:)`` would keep the completion for later rather than answer now.
    @inline(__always)
    func mustWait(_ decision: PurchaseDecision) -> Bool {
        switch decision {
        case .parked: return true
        case .reserved: return engine.configuration.ackMode.waitsForStore
        case .duplicate(let order): return ackWaiters[order.id] != nil
        default: return false
        }
    }

    /// Answers `completion` now, or keeps it until the decision is final.
    func route(_ decision: PurchaseDecision, _ completion: @escaping (PurchaseDecision) -> Void) {
        switch decision {
        case .parked(let ticket):
            engine.stats.parked += 1
            parkedWaiters[ticket] = completion
        case .reserved(let order):
            if engine.configuration.ackMode.waitsForStore {
                ackWaiters[order.id] = AckWaiter(first: completion)
                ackDeadlines.append((order.id, engine.loop.nowMillis + engine.configuration.ackTimeoutMillis))
            } else {
                answer(decision, completion)
            }
        case .duplicate(let order):
            // The first answer for this order may still wait for the store: wait with it.
            if ackWaiters[order.id] != nil {
                ackWaiters[order.id]!.more.append(completion)
            } else {
                answer(decision, completion)
            }
        default:
            answer(decision, completion)
        }
    }

    /// Gives `completion` its final answer now.
    func answer(_ decision: PurchaseDecision, _ completion: (PurchaseDecision) -> Void) {
        engine.stats.count(decision)
        completion(decision)
    }

    /// The store (or the core's rollback) gave the final answer for an order.
    func orderAnswered(_ id: OrderID, _ decision: PurchaseDecision) {
        if let waiter = ackWaiters.removeValue(forKey: id) {
            waiter.answer(decision, stats: &engine.stats)
        } else if engine.configuration.ackMode == .reserved, decision.order == nil || decision.isDuplicate {
            // Answered 201 already; the store refused it afterwards.
            engine.stats.ackedThenRejected += 1
        }
    }

    /// Parked purchases the core decided again (after a grant, a rollback or a timeout).
    func deliverParkedResolutions() {
        guard engine.shard.hasParkedResolutions else { return }
        resolvedScratch.removeAll(keepingCapacity: true)
        engine.shard.drainParkedResolutions { ticket, decision in resolvedScratch.append((ticket, decision)) }
        for (ticket, decision) in resolvedScratch {
            guard let completion = parkedWaiters.removeValue(forKey: ticket) else { continue }
            route(decision, completion)
        }
        resolvedScratch.removeAll(keepingCapacity: true)
    }

    /// `--ack persisted`: waiters past `ackTimeoutMillis` get `overloaded` (their order
    /// stays queued: the store may still record it).
    func expireAckWaiters() {
        guard !ackWaiters.isEmpty else { return }
        let now = engine.loop.nowMillis
        while let head = ackDeadlines.first, head.deadline <= now {
            ackDeadlines.popFirst()
            guard let waiter = ackWaiters.removeValue(forKey: head.id) else { continue }
            engine.stats.ackTimeouts += 1
            waiter.answer(.overloaded, stats: &engine.stats)
        }
        if ackWaiters.isEmpty { ackDeadlines.removeAll() }
    }

    /// At the end of a shutdown: everyone still waiting gets `decision`.
    func answerEveryone(_ decision: PurchaseDecision) {
        let waiters = ackWaiters
        ackWaiters.removeAll()
        ackDeadlines.removeAll()
        for (_, waiter) in waiters { waiter.answer(decision, stats: &engine.stats) }
        let parked = parkedWaiters
        parkedWaiters.removeAll()
        for (_, completion) in parked { answer(decision, completion) }
    }
}

/// Purchases waiting for their order's acknowledgement (`--ack persisted`).
private struct AckWaiter {
    var first: (PurchaseDecision) -> Void
    var more: [(PurchaseDecision) -> Void] = []

    func answer(_ decision: PurchaseDecision, stats: inout PersistenceStats) {
        stats.count(decision)
        first(decision)
        for completion in more {
            stats.count(decision)
            completion(decision)
        }
    }
}

extension PurchaseDecision {
    fileprivate var isDuplicate: Bool {
        if case .duplicate = self { return true }
        return false
    }
}
