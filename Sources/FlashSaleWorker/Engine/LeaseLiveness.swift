import FlashSaleCore
import FlashSaleLoop

/// Leases that never outlive a dead node (docs/scaling.md): this worker's heartbeat in
/// `fs:{S}:holders` for every sale it may hold a lease of, and (the reaper worker, one per
/// node) the once-a-second reap of every holder silent for more than the lease grace.
///
/// A beat that finds this worker no longer a holder (it was reaped while paused, or its
/// last lease was sold or returned) drops its slices of that sale: Redis wins, the worker
/// leases again on its next purchase. Loop thread only.
final class LeaseLiveness {
    private unowned let engine: WorkerEngine
    /// Sales this worker was granted units of and whose beat has not yet said otherwise.
    private var beatSales: Set<String> = []
    private var beatsInFlight = 0
    private var reapInFlight = false

    init(engine: WorkerEngine) {
        self.engine = engine
    }

    private var usable: Bool { engine.ready && !engine.stopping && engine.store.canAcceptCommand }

    /// A lease of `sale` granted units: the lease script recorded this worker as a holder.
    func noteGrant(sale: String) { beatSales.insert(sale) }

    /// One heartbeat per sale this worker holds (every `heartbeatMillis`), pipelined.
    func beat() {
        guard usable, beatsInFlight == 0, !beatSales.isEmpty else { return }
        for sale in beatSales {
            beatsInFlight += 1
            engine.store.beat(sale: sale, worker: engine.workerID) { [unowned self] result in
                self.beatsInFlight -= 1
                guard case .success(let beat) = result, beat != .alive else { return }
                self.beatSales.remove(sale)
                if beat == .notHolder { self.engine.stats.holderLost += 1 }
                self.dropSlices(of: sale)
            }
        }
    }

    /// The store holds no lease of this worker in `sale`: every slice of it is 0 now (a
    /// lease sent after the beat adds its grant when it answers).
    private func dropSlices(of sale: String) {
        let now = EventLoop.wallClockMillis()
        for (name, sku) in engine.process.sales.allSKUs where name == sale {
            guard let handle = engine.shard.skuHandle(sale: sale, sku: sku),
                let slice = engine.shard.slice(of: handle), slice > 0
            else { continue }
            engine.stats.unitsDroppedAfterReap += slice
            engine.shard.setSlice(0, of: handle, poolRemaining: nil, now: now)
        }
        engine.acks.deliverParkedResolutions()
    }

    /// The reaper (every `reapIntervalMillis` on the reaper worker): one reap call per sale
    /// that has not ended, pipelined.
    func reap() {
        guard usable, !reapInFlight else { return }
        let now = EventLoop.wallClockMillis()
        let sales = engine.process.sales.saleNames.filter { name in
            guard let config = engine.process.sales.config(sale: name) else { return false }
            return now < config.endsAtMillis
        }
        guard !sales.isEmpty else { return }
        reapInFlight = true
        var remaining = sales.count
        for sale in sales {
            engine.store.reapSilentHolders(sale: sale, graceMillis: engine.configuration.leaseGraceMillis) {
                [unowned self] result in
                remaining -= 1
                if remaining == 0 { self.reapInFlight = false }
                guard case .success(let reaped) = result else { return }
                for holder in reaped {
                    self.engine.stats.holdersReaped += 1
                    self.engine.stats.unitsReaped += Int(holder.units)
                    self.engine.onLeaseReaped?(sale, holder)
                }
            }
        }
    }
}
