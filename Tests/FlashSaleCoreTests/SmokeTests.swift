import FlashSaleCore
import Testing

@Test func reservesThenSellsOut() {
    let process = ProcessCore(configuration: CoreConfiguration(instance: 1, hashSeed: 42))
    _ = try? process.sales.install(SaleConfig(
        name: "s", startsAtMillis: 0, endsAtMillis: 1000, perUserLimit: 1, reservationTTLMillis: 100,
        items: [SaleItem(sku: "a", stock: 1)]))
    let shard = WorkerShard(process: process, workerIndex: 0)
    guard case .parked = shard.purchase(sale: "s", sku: "a", user: "u1", qty: 1, idempotencyKey: nil, now: 10) else {
        Issue.record("expected parked")
        return
    }
}
