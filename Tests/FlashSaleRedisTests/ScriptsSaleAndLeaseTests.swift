import FlashSaleCore
import FlashSaleRedis
import TestSupport
import XCTest
import FlashSaleWorker

final class ScriptsSaleAndLeaseTests: XCTestCase {
    private func upsert(_ redis: BlockingRedis, _ sale: SaleConfig, now: Int64) throws -> SaleUpsertOutcome {
        try SaleUpsertOutcome.parse(redis.runScript(FlashSaleScripts.saleUpsertCall(sale, nowMillis: now)))
    }

    private func definition(
        start: Int64, limit: Int64 = 1, ttl: Int64 = 600, end: Int64? = nil, items: [(String, Int64)]
    ) -> SaleConfig {
        SaleConfig(
            name: "up", startsAtMillis: start, endsAtMillis: end ?? start + 3_600_000, perUserLimit: Int(limit),
            reservationTTLMillis: ttl * 1000, items: items.map { SaleItem(sku: $0.0, stock: Int($0.1)) })
    }

    func testUpsertCreatesOnceAndRefusesStockChangeOnceLive() throws {
        let server = try RedisServerProcess()
        let redis = try server.client()
        let now = ScriptsTestSale.now
        let start = now + 60_000
        let sale = ScriptsTestSale(id: "up", skus: ["a": 100, "b": 5], perUserLimit: 1)

        XCTAssertEqual(try upsert(redis, definition(start: start, items: [("a", 100), ("b", 5)]), now: now), .created)
        XCTAssertEqual(try redis.command("GET", "fs:schema").string, "3")
        XCTAssertEqual(try redis.command("GET", sale.keys.pool("a")).int, 100)
        XCTAssertEqual(try redis.command("HGETALL", sale.keys.counts("b")).hash,
                       ["total": "5", "reserved": "0", "paid": "0", "cancelled": "0", "expired": "0"])
        XCTAssertEqual(try redis.command("HGET", sale.keys.saleHash, "schema").string, "3")
        XCTAssertEqual(try redis.command("HGET", sale.keys.saleHash, "currency").string, "XXX")
        XCTAssertEqual(try upsert(redis, definition(start: start, items: [("a", 100), ("b", 5)]), now: now), .unchanged)
        // A schema 1 sale (before `flashsale migrate`) is not changed by a schema 2 upsert.
        try redis.command("HSET", sale.keys.saleHash, "schema", "1")
        guard case .invalid(let why) = try upsert(redis, definition(start: start, items: [("a", 100), ("b", 5)]), now: now) else {
            return XCTFail("a schema 1 sale was upserted")
        }
        XCTAssertTrue(why.contains("flashsale migrate"), why)
        try redis.command("HSET", sale.keys.saleHash, "schema", "2")

        // Before the start: stock may change, but never below what is leased.
        let leased = try LeaseOutcome.parse(redis.runScript(FlashSaleScripts.leaseCall(sale: "up", sku: "a", worker: "n1/0", want: 30)))
        XCTAssertEqual(leased, .changed(LeaseChange(units: 30, poolAfter: 70, heldAfter: 30)))
        XCTAssertEqual(try upsert(redis, definition(start: start, items: [("a", 20), ("b", 5)]), now: now),
                       .stockBelowCommitted(sku: "a", committed: 30))
        XCTAssertEqual(try redis.command("GET", sale.keys.pool("a")).int, 70, "a refused upsert changes nothing")
        XCTAssertEqual(try upsert(redis, definition(start: start, items: [("a", 40), ("b", 7), ("c", 3)]), now: now), .updated)
        XCTAssertEqual(try redis.command("GET", sale.keys.pool("a")).int, 10)
        XCTAssertEqual(try redis.command("HGET", sale.keys.counts("a"), "total").int, 40)
        XCTAssertEqual(try redis.command("HGET", sale.keys.saleHash, "skus").string, "a,b,c")
        XCTAssertEqual(try redis.command("HGET", sale.keys.saleHash, "revision").int, 2)
        XCTAssertEqual(try upsert(redis, definition(start: start, items: [("a", 40)]), now: now), .skuRemoved(sku: "b"))

        // Live: stock, SKUs and starts_at are frozen; end, limit and TTL may change.
        let live = start + 1
        let items: [(String, Int64)] = [("a", 40), ("b", 7), ("c", 3)]
        XCTAssertEqual(try upsert(redis, definition(start: start, items: [("a", 41), ("b", 7), ("c", 3)]), now: live),
                       .saleLive(field: "a"))
        XCTAssertEqual(try upsert(redis, definition(start: start, items: items + [("d", 1)]), now: live), .saleLive(field: "d"))
        XCTAssertEqual(try upsert(redis, definition(start: start - 5, items: items), now: live), .saleLive(field: "starts_at"))
        XCTAssertEqual(try upsert(redis, definition(start: start, items: items), now: live), .unchanged)
        XCTAssertEqual(try upsert(redis, definition(start: start, limit: 3, ttl: 300, items: items), now: live), .updated)
        XCTAssertEqual(try redis.command("HGET", sale.keys.saleHash, "per_user_limit").int, 3)
        XCTAssertEqual(try redis.command("HGET", sale.keys.counts("a"), "total").int, 40)

        // Malformed definitions.
        XCTAssertEqual(try upsert(redis, definition(start: start, end: start, items: items), now: live),
                       .invalid("ends_at must be after starts_at"))
        XCTAssertEqual(try upsert(redis, definition(start: start, items: [("a", 40), ("a", 1)]), now: live),
                       .invalid("duplicate sku a"))
        XCTAssertEqual(try upsert(redis, definition(start: start, items: [("x,y", 1)]), now: live), .invalid("bad sku"))
        XCTAssertEqual(try upsert(redis, definition(start: start, items: [("a", -1)]), now: live), .invalid("bad stock for a"))

        let full = ScriptsTestSale(id: "up", skus: ["a": 40, "b": 7, "c": 3], perUserLimit: 3)
        try scriptsCheckInvariants(redis, sale: full)
    }

    func testUpsertKeepsPricesAndCurrencyAndFreezesThemOnceLive() throws {
        let server = try RedisServerProcess()
        let redis = try server.client()
        let now = ScriptsTestSale.now
        let start = now + 60_000
        let keys = FlashSaleKeys(sale: "up")
        func priced(_ currency: String, _ a: Int64, _ b: Int64, start: Int64 = start) -> SaleConfig {
            var sale = definition(start: start, items: [("a", 10), ("b", 5)])
            sale.currency = currency
            sale.items[0].price = a
            sale.items[1].price = b
            return sale
        }
        XCTAssertEqual(try upsert(redis, priced("EUR", 1999, 500), now: now), .created)
        XCTAssertEqual(try redis.command("HMGET", keys.saleHash, "currency", "price:a", "price:b").elements.map(\.string),
                       ["EUR", "1999", "500"])
        XCTAssertEqual(try upsert(redis, priced("EUR", 1999, 500), now: now), .unchanged)
        // Before the start prices and currency may change.
        XCTAssertEqual(try upsert(redis, priced("EUR", 2499, 500), now: now), .updated)
        XCTAssertEqual(try upsert(redis, priced("USD", 2499, 500), now: now), .updated)
        XCTAssertEqual(try redis.command("HMGET", keys.saleHash, "currency", "price:a").elements.map(\.string), ["USD", "2499"])
        // Once live: frozen like stock; a refused upsert changes nothing.
        let live = start + 1
        XCTAssertEqual(try upsert(redis, priced("USD", 2500, 500), now: live), .saleLive(field: "price:a"))
        XCTAssertEqual(try upsert(redis, priced("EUR", 2499, 500), now: live), .saleLive(field: "currency"))
        XCTAssertEqual(try upsert(redis, priced("USD", 2499, 500), now: live), .unchanged)
        XCTAssertEqual(try redis.command("HMGET", keys.saleHash, "currency", "price:a").elements.map(\.string), ["USD", "2499"])
        // The script's own checks (the engine validates first; a tool calling it directly is held to the same).
        XCTAssertEqual(try upsert(redis, priced("usd", 1, 1), now: now), .invalid("currency must be 3 letters A-Z"))
        guard case .invalid(let zero) = try upsert(redis, priced("EUR", 0, 1), now: now) else { return XCTFail("price 0 with EUR") }
        XCTAssertTrue(zero.contains("price of a"), zero)
        guard case .invalid(let noCurrency) = try upsert(redis, priced("XXX", 5, 0), now: now) else { return XCTFail("price with XXX") }
        XCTAssertTrue(noCurrency.contains("price of a"), noCurrency)
        guard case .invalid(let big) = try upsert(redis, priced("EUR", 1_000_000_000_001, 1), now: now) else {
            return XCTFail("price over 10^12")
        }
        XCTAssertEqual(big, "bad price for a")
    }

    func testLeaseReturnClampsAndUnknownSKU() throws {
        let server = try RedisServerProcess()
        let redis = try server.client()
        let sale = ScriptsTestSale(skus: ["a": 10])
        try sale.create(on: redis)

        XCTAssertEqual(try LeaseOutcome.parse(redis.runScript(FlashSaleScripts.leaseCall(sale: "s1", sku: "zz", worker: "n/0", want: 1))), .unknownSKU)
        XCTAssertEqual(try LeaseOutcome.parse(redis.runScript(FlashSaleScripts.leaseCall(sale: "s1", sku: "a", worker: "n/0", want: 25))),
                       .changed(LeaseChange(units: 10, poolAfter: 0, heldAfter: 10)))
        XCTAssertEqual(try LeaseOutcome.parse(redis.runScript(FlashSaleScripts.leaseCall(sale: "s1", sku: "a", worker: "n/1", want: 5))),
                       .changed(LeaseChange(units: 0, poolAfter: 0, heldAfter: 0, leasedElsewhere: 10)))
        let back = FlashSaleScripts.leaseReturnCall(sale: "s1", sku: "a", worker: "n/0", units: 4)
        XCTAssertEqual(try LeaseOutcome.parse(redis.runScript(back), script: FlashSaleScripts.leaseReturn),
                       .changed(LeaseChange(units: 4, poolAfter: 4, heldAfter: 6)))
        let tooMuch = FlashSaleScripts.leaseReturnCall(sale: "s1", sku: "a", worker: "n/0", units: 100)
        XCTAssertEqual(try LeaseOutcome.parse(redis.runScript(tooMuch), script: FlashSaleScripts.leaseReturn),
                       .changed(LeaseChange(units: 6, poolAfter: 10, heldAfter: 0)))
        XCTAssertEqual(try redis.command("HEXISTS", sale.keys.leases("a"), "n/0").int, 0, "an empty lease is deleted")
        let nothing = FlashSaleScripts.leaseReturnCall(sale: "s1", sku: "a", worker: "n/9", units: nil)
        XCTAssertEqual(try LeaseOutcome.parse(redis.runScript(nothing), script: FlashSaleScripts.leaseReturn),
                       .changed(LeaseChange(units: 0, poolAfter: 10, heldAfter: 0)))
        try scriptsCheckInvariants(redis, sale: sale)
    }

    func testConcurrentWorkersNeverLeaseMoreThanThePool() throws {
        let server = try RedisServerProcess()
        let setup = try server.client()
        let total: Int64 = 20_000
        let sale = ScriptsTestSale(skus: ["a": total])
        try sale.create(on: setup)
        let port = server.port
        let granted = ScriptsLocked<Int64>(0), returned = ScriptsLocked<Int64>(0), failures = ScriptsLocked<[String]>([])

        // Eight workers lease until the pool is dry, handing some units back as they go.
        runOnThreads(8) { index in
            do {
                let redis = try BlockingRedis(port: port)
                let worker = "node/\(index)"
                var held: Int64 = 0
                var returnsLeft = 25
                var generator = SystemRandomNumberGenerator()
                for iteration in 0... {
                    if iteration == 50_000 {
                        failures.update { $0.append("\(worker): the pool never drained") }
                        break
                    }
                    let want = Int64.random(in: 1...64, using: &generator)
                    guard case .changed(let change) = try LeaseOutcome.parse(
                        redis.runScript(FlashSaleScripts.leaseCall(sale: "s1", sku: "a", worker: worker, want: want)))
                    else { throw FlashSaleScriptError.unexpectedReply(script: "lease", reply: .null) }
                    if change.units > want || change.poolAfter < 0 || change.heldAfter != held + change.units {
                        failures.update { $0.append("\(worker): want \(want) got \(change) held \(held)") }
                    }
                    held = change.heldAfter
                    granted.update { $0 += change.units }
                    if change.units == 0 { break }
                    // Hand back a few small amounts (bounded, so the pool does drain).
                    if returnsLeft > 0, Int.random(in: 0..<3, using: &generator) == 0 {
                        returnsLeft -= 1
                        let back = Int64.random(in: 1...min(held, 16), using: &generator)
                        guard case .changed(let r) = try LeaseOutcome.parse(
                            redis.runScript(FlashSaleScripts.leaseReturnCall(sale: "s1", sku: "a", worker: worker, units: back)),
                            script: FlashSaleScripts.leaseReturn)
                        else { throw FlashSaleScriptError.unexpectedReply(script: "lease_return", reply: .null) }
                        if r.units != back || r.heldAfter != held - back {
                            failures.update { $0.append("\(worker): returned \(back) got \(r)") }
                        }
                        held = r.heldAfter
                        returned.update { $0 += back }
                    }
                }
            } catch {
                failures.update { $0.append("\(index): \(error)") }
            }
        }
        XCTAssertEqual(failures.current, [])
        // Units handed back after a worker stopped are still in the pool: lease them again.
        let redis = try server.client()
        while case .changed(let change) = try LeaseOutcome.parse(
            redis.runScript(FlashSaleScripts.leaseCall(sale: "s1", sku: "a", worker: "node/0", want: 1_000))), change.units > 0 {
            granted.update { $0 += change.units }
        }
        let snapshot = try scriptsCheckInvariants(redis, sale: sale)["a"]!
        XCTAssertEqual(snapshot.pool, 0)
        XCTAssertEqual(snapshot.leased, total, "every unit is leased exactly once")
        XCTAssertGreaterThan(returned.current, 0)
        XCTAssertEqual(granted.current, total + returned.current, "returned units were leased again, nothing more")
    }

    func testReclaimReturnsOnlyTheRestartedNodesLeases() throws {
        let server = try RedisServerProcess()
        let redis = try server.client()
        let sale = ScriptsTestSale(skus: ["a": 100, "b": 50])
        try sale.create(on: redis)
        for (worker, sku, want) in [("n1/0", "a", 10), ("n1/1", "a", 15), ("n1/0", "b", 7), ("n10/0", "a", 20), ("n2", "b", 3)] {
            _ = try redis.runScript(FlashSaleScripts.leaseCall(sale: "s1", sku: sku, worker: worker, want: Int64(want)))
        }
        try scriptsCheckInvariants(redis, sale: sale)
        XCTAssertEqual(try ReclaimOutcome.parse(redis.runScript(FlashSaleScripts.reclaimCall(sale: "s1", node: "n1"))),
                       ReclaimOutcome(returned: ["a": 25, "b": 7]))
        XCTAssertEqual(try redis.command("HGETALL", sale.keys.leases("a")).hash, ["n10/0": "20"], "n10 is not n1")
        XCTAssertEqual(try redis.command("GET", sale.keys.pool("a")).int, 80)
        XCTAssertEqual(try ReclaimOutcome.parse(redis.runScript(FlashSaleScripts.reclaimCall(sale: "s1", node: "n2", skus: ["a"]))),
                       ReclaimOutcome(returned: [:]))
        XCTAssertEqual(try ReclaimOutcome.parse(redis.runScript(FlashSaleScripts.reclaimCall(sale: "s1", node: "n2", skus: ["b"]))),
                       ReclaimOutcome(returned: ["b": 3]))
        let snapshots = try scriptsCheckInvariants(redis, sale: sale)
        XCTAssertEqual(snapshots["b"]?.pool, 50)
    }
}
