import FlashSaleCore
import FlashSaleWorker

extension RedisWorkerStore: StockStore {
    public func lease(
        sale: String, sku: String, worker: String, want: Int64,
        completion: @escaping (Result<LeaseOutcome, StoreError>) -> Void
    ) {
        client.run(FlashSaleScripts.leaseCall(sale: sale, sku: sku, worker: worker, want: want)) { result in
            completion(Self.read(result) { try LeaseOutcome.parse($0) })
        }
    }

    public func returnLease(
        sale: String, sku: String, worker: String, units: Int64?,
        completion: @escaping (Result<LeaseOutcome, StoreError>) -> Void
    ) {
        client.run(FlashSaleScripts.leaseReturnCall(sale: sale, sku: sku, worker: worker, units: units)) { result in
            completion(Self.read(result) { try LeaseOutcome.parse($0, script: FlashSaleScripts.leaseReturn) })
        }
    }

    public func reclaim(sales: [String], node: String, completion: @escaping (Result<Int, StoreError>) -> Void) {
        client.runAll(sales.map { FlashSaleScripts.reclaimCall(sale: $0, node: node) }) { results in
            var units = 0
            for result in results {
                switch Self.read(result, { try ReclaimOutcome.parse($0) }) {
                case .failure(let error): return completion(.failure(error))
                case .success(let outcome): units += outcome.returned.values.reduce(0) { $0 + Int($1) }
                }
            }
            completion(.success(units))
        }
    }

    public func leasesHeld(
        _ skus: [(sale: String, sku: String)], worker: String,
        completion: @escaping ([Result<Int64, StoreError>]) -> Void
    ) {
        client.sendAll(skus.map { ["HGET", FlashSaleKeys(sale: $0.sale).leases($0.sku), worker] }) { results in
            completion(results.map { result in Self.read(result) { $0.int ?? 0 } })
        }
    }
}
