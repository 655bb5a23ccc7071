import FlashSaleCore
import FlashSaleLoop

/// Keeps the process's sale directory in step with the store (the bootstrap worker):
/// loads every listed sale whose revision changed, at start and periodically, so sales
/// created through other nodes are served here too.
final class SaleDirectorySync {
    private unowned let engine: WorkerEngine
    private var inFlight = false
    private var revisions: [String: String] = [:]

    init(engine: WorkerEngine) {
        self.engine = engine
    }

    /// Loads the changed sales into the core (at start, and every `saleSyncIntervalMillis`
    /// on the bootstrap worker). `completion(true)` when all were read.
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

    /// A sale this node just wrote: read back from the store and installed before the
    /// writer is answered, without waiting for the next sync. Read back, not taken from the
    /// request, because the store adds to it: a new sale's order-id salt (schema 3), which
    /// every node must derive keyed ids from. If the read fails, the next sync installs it.
    func reload(_ name: String, completion: @escaping () -> Void) {
        let process = engine.process
        engine.store.loadSales(changedFrom: revisions.filter { $0.key != name }) { [unowned self] result in
            if case .success(let load) = result {
                for sale in load.sales where (try? process.sales.install(sale.config)) != nil {
                    self.revisions[sale.config.name] = sale.revision
                }
            }
            completion()
        }
    }
}
