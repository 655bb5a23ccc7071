import FlashSaleRedis
import TestSupport
import XCTest
import FlashSaleWorker

/// `stockChange` on a real redis-server: total and pool move together, so conservation
/// (`total = pool + Σ leases + reserved + paid`) holds before and after every change.
final class ScriptsStockChangeTests: XCTestCase {
    private func change(_ redis: BlockingRedis, _ sku: String, _ delta: Int64, sale: String = "s1",
                        maximum: Int64 = 1_000_000_000) throws -> StockChangeOutcome {
        try StockChangeOutcome.parse(redis.runScript(FlashSaleScripts.stockChangeCall(
            sale: sale, sku: sku, delta: delta, maximum: maximum, nowMillis: ScriptsTestSale.now + 5)))
    }

    func testAddAndRemoveKeepConservationWithLeasesReservationsAndPayments() throws {
        let server = try RedisServerProcess()
        let redis = try server.client()
        let sale = ScriptsTestSale(skus: ["a": 10, "b": 3], perUserLimit: 5)
        try sale.create(on: redis)
        // Leases, a reservation and a payment: units outside the pool.
        _ = try redis.runScript(FlashSaleScripts.leaseCall(sale: "s1", sku: "a", worker: "n/0", want: 6))
        let orders = [sale.order("o1", sku: "a", user: "u1", qty: 2), sale.order("o2", sku: "a", user: "u2")]
        let flushed = try FlushReply.parse(redis.runScript(FlashSaleScripts.flushCall(sale: "s1", worker: "n/0", orders: orders)))
        XCTAssertEqual(flushed.results, [.recorded, .recorded])
        _ = try redis.runScript(FlashSaleScripts.payCall(sale: "s1", orderID: "o1", nowMillis: ScriptsTestSale.now + 1))
        var before = try XCTUnwrap(try scriptsCheckInvariants(redis, sale: sale)["a"])
        XCTAssertEqual([before.total, before.pool, before.leased, before.reserved, before.paid], [10, 4, 3, 1, 2])
        let revision = try redis.command("HGET", sale.keys.saleHash, "revision").int ?? 0

        XCTAssertEqual(try change(redis, "a", 25), .changed(total: 35, pool: 29))
        var after = try XCTUnwrap(try scriptsCheckInvariants(redis, sale: sale)["a"])
        XCTAssertEqual([after.total, after.pool, after.leased, after.reserved, after.paid], [35, 29, 3, 1, 2])
        XCTAssertEqual(try redis.command("HGET", sale.keys.saleHash, "revision").int, revision + 1, "engines reload the totals")

        // Only the pool can shrink: a removal beyond it changes nothing.
        XCTAssertEqual(try change(redis, "a", -30), .insufficientPool(pool: 29))
        before = after
        after = try XCTUnwrap(try scriptsCheckInvariants(redis, sale: sale)["a"])
        XCTAssertEqual(after.total, before.total)
        XCTAssertEqual(after.pool, before.pool)
        XCTAssertEqual(try change(redis, "a", -29), .changed(total: 6, pool: 0))
        after = try XCTUnwrap(try scriptsCheckInvariants(redis, sale: sale)["a"])
        XCTAssertEqual([after.total, after.pool, after.leased, after.reserved, after.paid], [6, 0, 3, 1, 2])
        XCTAssertEqual(try change(redis, "a", -1), .insufficientPool(pool: 0))

        // Bounds, unknown SKU and sale; the other SKU is untouched.
        XCTAssertEqual(try change(redis, "b", 8, maximum: 10), .aboveMaximum(total: 11, maximum: 10))
        XCTAssertEqual(try change(redis, "b", 7, maximum: 10), .changed(total: 10, pool: 10))
        XCTAssertEqual(try change(redis, "zz", 1), .skuNotFound)
        XCTAssertEqual(try change(redis, "a", 1, sale: "nope"), .saleNotFound)
        XCTAssertThrowsError(try change(redis, "a", 0), "a zero change is not a change")
        let all = try scriptsCheckInvariants(redis, sale: sale)
        XCTAssertEqual(all["b"]?.total, 10)

        // Units added while live sell through leases as any others.
        let lease = try LeaseOutcome.parse(redis.runScript(FlashSaleScripts.leaseCall(sale: "s1", sku: "b", worker: "n/1", want: 10)))
        XCTAssertEqual(lease, .changed(LeaseChange(units: 10, poolAfter: 0, heldAfter: 10)))
        try scriptsCheckInvariants(redis, sale: sale)
    }
}
