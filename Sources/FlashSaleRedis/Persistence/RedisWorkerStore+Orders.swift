import FlashSaleCore
import FlashSaleWorker

extension RedisWorkerStore: OrderStore {
    public func flush(
        sale: String, worker: String, orders: ArraySlice<PendingOrder>,
        completion: @escaping (Result<FlushReply, StoreError>) -> Void
    ) {
        // RESP straight from the drained batch: no String per id, number or ARGV slot.
        var arguments = RESPBulkWriter(capacity: 256 + 160 * orders.count)
        let keyCount = FlashSaleScripts.writeFlush(sale: sale, worker: worker, orders: orders, into: &arguments)
        let slot = client.mode == .cluster ? slot(ofSale: sale) : RedisSlot.zero
        client.evalScript(FlashSaleScripts.flush, numKeys: keyCount, arguments: arguments, slot: slot) { result in
            completion(Self.read(result) { try FlushReply.parse($0) })
        }
    }

    public func unitsHeld(sale: String, sku: String, user: String, completion: @escaping (Result<Int64, StoreError>) -> Void) {
        client.send(["HGET", FlashSaleKeys(sale: sale).buyers(sku), user]) { result in
            completion(Self.read(result) { $0.int ?? 0 })
        }
    }

    public func expireDue(
        sales: [String], nowMillis: Int64, limit: Int,
        completion: @escaping ([Result<SweepOutcome, StoreError>]) -> Void
    ) {
        let calls = sales.map { FlashSaleScripts.expirySweepCall(sale: $0, nowMillis: nowMillis, limit: limit) }
        client.runAll(calls) { results in
            completion(results.map { result in Self.read(result) { try SweepOutcome.parse($0) } })
        }
    }
}
