import FlashSaleCore
import FlashSaleLoop

/// The expiry sweep (one worker per process by default): due reservations expire in the
/// store, their units go back to the pool, and this process's ledger forgets them.
/// Idempotent across nodes: every node may sweep.
final class ExpirySweeper {
    private unowned let engine: WorkerEngine
    private var inFlight = false
    private let timer: LoopTimer

    init(engine: WorkerEngine) {
        self.engine = engine
        timer = LoopTimer(loop: engine.loop)
    }

    func start() {
        let period = engine.configuration.sweepIntervalMillis
        timer.start(afterMillis: period, repeatMillis: period) { [unowned self] in self.sweep() }
    }

    private func sweep() {
        guard engine.ready, !engine.stopping, !inFlight, engine.store.canAcceptCommand else { return }
        let sales = engine.process.sales.saleNames
        guard !sales.isEmpty else { return }
        inFlight = true
        let now = EventLoop.wallClockMillis()
        engine.store.expireDue(sales: sales, nowMillis: now, limit: engine.configuration.sweepBatch) { [unowned self] results in
            self.inFlight = false
            var more = false
            for (sale, result) in zip(sales, results) {
                guard case .success(let outcome) = result else { continue }
                for released in outcome.expired { self.engine.releaseInLedger(sale: sale, released) }
                self.engine.stats.expiredBySweep += outcome.expired.count
                more = more || outcome.more
            }
            // A full batch: more are due, sweep again at once.
            if more { self.sweep() }
        }
    }

    func close() { timer.close() }
}
