import FlashSaleCore
import FlashSaleLoop

/// Keeps the process's sale directory in step with the store (the bootstrap worker):
/// loads every listed sale whose revision changed, at start and periodically, so sales
/// created through other nodes are served here too.
final class SaleDirectorySync {
    private unowned let engine: WorkerEngine
    private var inFlight = false
    private var revisions: [String: String] = [:]
    private let timer: LoopTimer

    init(engine: WorkerEngine) {
        self.engine = engine
        timer = LoopTimer(loop: engine.loop)
    }

    func startPeriodicSync() {
        let period = engine.configuration.saleSyncIntervalMillis
        timer.start(afterMillis: period, repeatMillis: period) { [unowned self] in self.sync(completion: nil) }
    }

    /// Loads the changed sales into the core. `completion(true)` when all were read.
    func sync(completion: ((Bool) -> Void)?) {
        guard !inFlight, engine.store.health == .up else {
            completion?(false)
            return
        }
        inFlight = true
        let process = engine.process
        // A sale missing from the directory is loaded whatever its revision.
        let known = revisions.filter { process.sales.config(sale: $0.key) != nil }
        engine.store.loadSales(changedFrom: known) { [unowned self] result in
            self.inFlight = false
            guard case .success(let load) = result else {
                completion?(false)
                return
            }
            for sale in load.sales where (try? process.sales.install(sale.config)) != nil {
                self.revisions[sale.config.name] = sale.revision
            }
            completion?(load.complete)
        }
    }

    /// A sale this node just wrote: installed now, without waiting for the next sync.
    func installed(_ config: SaleConfig) {
        _ = try? engine.process.sales.install(config)
    }

    func close() { timer.close() }
}
