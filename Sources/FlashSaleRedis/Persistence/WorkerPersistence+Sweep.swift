import FlashSaleCore
import FlashSaleLoop

extension WorkerPersistence {
    /// The expiry sweep (one worker per process by default): due reservations expire in
    /// Redis, their units go back to the pool, and this process's ledger forgets them.
    func sweepExpired() {
        guard ready, !stopping, !sweepInFlight, client.canAcceptCommand else { return }
        let sales = process.sales.saleNames
        guard !sales.isEmpty else { return }
        sweepInFlight = true
        let now = EventLoop.wallClockMillis()
        let calls = sales.map { FlashSaleScripts.expirySweepCall(sale: $0, nowMillis: now, limit: configuration.sweepBatch) }
        client.runAll(calls) { [unowned self] results in
            self.sweepInFlight = false
            var more = false
            for (sale, result) in zip(sales, results) {
                guard case .success(let reply) = result, let outcome = try? SweepOutcome.parse(reply) else { continue }
                for released in outcome.expired { self.releaseInLedger(sale: sale, released) }
                self.stats.expiredBySweep += outcome.expired.count
                more = more || outcome.more
            }
            // A full batch: more are due, sweep again at once.
            if more { self.sweepExpired() }
        }
    }
}
