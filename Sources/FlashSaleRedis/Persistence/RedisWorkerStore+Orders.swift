import FlashSaleCore
import FlashSaleWorker

extension RedisWorkerStore: OrderStore {
    public func flush(
        sale: String, worker: String, orders: ArraySlice<PendingOrder>,
        completion: @escaping (Result<FlushReply, StoreError>) -> Void
    ) {
        let batch = orders.map { order in
            FlushOrder(
                orderID: order.id.text, sku: order.skuName, user: order.user, quantity: Int64(order.qty),
                idempotencyKey: order.idempotencyKey, createdAtMillis: order.createdAtMillis,
                expiresAtMillis: order.expiresAtMillis)
        }
        client.run(FlashSaleScripts.flushCall(sale: sale, worker: worker, orders: batch)) { result in
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
