import FlashSaleCore
import FlashSaleRedis
import TestSupport
import XCTest
import FlashSaleWorker

/// Schema 3 (docs/redis-schema.md): keyed orders of a new sale have ids derived from the
/// buyer and the key, so the flush finds a retry by id; records keep no key; schema-2
/// sales and records keep working beside them.
final class SchemaThreeTests: XCTestCase {
    private let now = ScriptsTestSale.now

    func testRecordsOfBothSchemasParse() throws {
        let v3 = try XCTUnwrap(OrderRecord(sale: "s", orderID: "o", packed: "reserved a u1 1 500 10 20 0"))
        XCTAssertEqual([v3.status, v3.sku, v3.user], ["reserved", "a", "u1"])
        XCTAssertEqual([v3.quantity, v3.createdAtMillis, v3.expiresAtMillis], [1, 10, 20])
        XCTAssertNil(v3.fields["idem"])
        let v3f = try XCTUnwrap(OrderRecord(sale: "s", orderID: "o", packed: "fulfilled a u1 1 500 10 20 15 17 DHL T1"))
        XCTAssertEqual([v3f.fields["paid_at"], v3f.fields["fulfilled_at"], v3f.fields["carrier"], v3f.fields["tracking"]], ["15", "17", "DHL", "T1"])
        let v2 = try XCTUnwrap(OrderRecord(sale: "s", orderID: "o", packed: "paid a u1 1 500 10 20 15 k1"))
        XCTAssertEqual([v2.fields["idem"], v2.fields["paid_at"]], ["k1", "15"])
        let v2f = try XCTUnwrap(OrderRecord(sale: "s", orderID: "o", packed: "fulfilled a u1 1 500 10 20 15  17 DHL T1"))
        XCTAssertNil(v2f.fields["idem"])
        XCTAssertEqual(v2f.fields["tracking"], "T1")
        for bad in ["reserved a u1 1 500 10 20", "fulfilled a u1 1 500 10 20 15 17 DHL", ""] {
            XCTAssertNil(OrderRecord(sale: "s", orderID: "o", packed: bad), bad)
        }
    }

    /// The flush of derived ids: a retry by another worker (another node) answers `k` with
    /// the first order's times, another body answers `K`, the first worker's retried batch
    /// `d`; no `fs:{S}:idem` is written and units are taken once.
    func testDerivedIDsAreTheirOwnIdempotencyIndex() throws {
        let server = try RedisServerProcess()
        let redis = try server.client()
        let sale = ScriptsTestSale(skus: ["a": 10, "b": 10], perUserLimit: 3)
        try sale.create(on: redis)
        for worker in ["n1/0", "n2/0"] {
            for sku in ["a", "b"] { _ = try redis.runScript(FlashSaleScripts.leaseCall(sale: "s1", sku: sku, worker: worker, want: 3)) }
        }
        func keyed(_ id: String, sku: String = "a", qty: Int64 = 1, at created: Int64) -> FlushOrder {
            sale.order(id, sku: sku, user: "alice", qty: qty, key: "k1", created: created, derived: true)
        }
        func flush(_ worker: String, _ orders: [FlushOrder]) throws -> [FlushOrderResult] {
            try FlushReply.parse(redis.runScript(FlashSaleScripts.flushCall(sale: "s1", worker: worker, orders: orders))).results
        }
        let first = [keyed("D1", at: now)]
        XCTAssertEqual(try flush("n1/0", first), [.recorded])
        XCTAssertEqual(try flush("n1/0", first), [.alreadyRecorded], "a retried batch")
        XCTAssertEqual(try flush("n2/0", [keyed("D1", at: now + 40)]), [
            .duplicate(existingOrderID: "D1", createdAtMillis: now, expiresAtMillis: now + 600_000, sameRequest: true),
        ])
        XCTAssertEqual(try flush("n2/0", [keyed("D1", qty: 2, at: now + 50), keyed("D1", sku: "b", at: now + 50)]), [
            .duplicate(existingOrderID: "D1", createdAtMillis: 0, expiresAtMillis: 0, sameRequest: false),
            .duplicate(existingOrderID: "D1", createdAtMillis: 0, expiresAtMillis: 0, sameRequest: false),
        ])
        XCTAssertEqual(try redis.command("EXISTS", sale.keys.idempotency).int, 0)
        XCTAssertEqual(try redis.command("HGET", sale.keys.orders, "D1").string, "reserved a alice 1 0 \(now) \(now + 600_000) 0")
        XCTAssertEqual(try redis.command("HGETALL", sale.keys.buyers("a")).hash, ["alice": "1"])
        XCTAssertEqual(try redis.command("HGET", sale.keys.leases("a"), "n2/0").int, 3, "the replay took no units")
        try scriptsCheckInvariants(redis, sale: sale)

        // A retried batch is still recognised once its order has moved on (paid here).
        XCTAssertEqual(try PayOutcome.parse(redis.runScript(FlashSaleScripts.payCall(sale: "s1", orderID: "D1", nowMillis: now + 60))),
                       .paid(orderID: "D1", sku: "a", user: "alice", quantity: 1))
        XCTAssertEqual(try flush("n1/0", first), [.alreadyRecorded])
        // Another buyer's order under a colliding id is never replayed to this one.
        XCTAssertEqual(try flush("n2/0", [sale.order("D1", sku: "a", user: "mallory", key: "k1", derived: true)]), [
            .duplicate(existingOrderID: "D1", createdAtMillis: 0, expiresAtMillis: 0, sameRequest: false),
        ])
        try scriptsCheckInvariants(redis, sale: sale)
    }

    /// A schema-2 sale's records keep the key (what schema-2 engines read during a rolling
    /// upgrade), and pay, cancel and fulfil rewrite them keeping it.
    func testSchemaTwoRecordsKeepTheirKeyThroughEveryTransition() throws {
        let server = try RedisServerProcess()
        let redis = try server.client()
        let sale = ScriptsTestSale(skus: ["a": 10], perUserLimit: 3)
        try sale.create(on: redis)
        _ = try redis.runScript(FlashSaleScripts.leaseCall(sale: "s1", sku: "a", worker: "n/0", want: 3))
        let orders = [sale.order("o1", sku: "a", user: "bob", key: "k1", keyInRecord: true),
                      sale.order("o2", sku: "a", user: "bob", keyInRecord: true)]
        XCTAssertEqual(try FlushReply.parse(redis.runScript(FlashSaleScripts.flushCall(sale: "s1", worker: "n/0", orders: orders))).results,
                       [.recorded, .recorded])
        XCTAssertEqual(try redis.command("HGET", sale.keys.orders, "o1").string, "reserved a bob 1 0 \(now) \(now + 600_000) 0 k1")
        XCTAssertEqual(try redis.command("HGET", sale.keys.orders, "o2").string, "reserved a bob 1 0 \(now) \(now + 600_000) 0 ")
        XCTAssertEqual(try PayOutcome.parse(redis.runScript(FlashSaleScripts.payCall(sale: "s1", orderID: "o1", nowMillis: now + 5))),
                       .paid(orderID: "o1", sku: "a", user: "bob", quantity: 1))
        XCTAssertEqual(try FulfilOutcome.parse(redis.runScript(FlashSaleScripts.fulfilCall(
            sale: "s1", orderID: "o1", carrier: "DHL", tracking: "T1", nowMillis: now + 9))), .fulfilled)
        XCTAssertEqual(try redis.command("HGET", sale.keys.orders, "o1").string,
                       "fulfilled a bob 1 0 \(now) \(now + 600_000) \(now + 5) k1 \(now + 9) DHL T1")
        guard case .cancelled = try CancelOutcome.parse(redis.runScript(
            FlashSaleScripts.cancelCall(sale: "s1", orderID: "o2", user: "bob", nowMillis: now + 7))) else { return XCTFail("o2 not cancelled") }
        XCTAssertEqual(try redis.command("HGET", sale.keys.orders, "o2").string, "cancelled a bob 1 0 \(now) \(now + 600_000) \(now + 7) ")
        let fulfilled = try XCTUnwrap(OrderRecord(sale: "s1", orderID: "o1", packed: try XCTUnwrap(redis.command("HGET", sale.keys.orders, "o1").string)))
        XCTAssertEqual([fulfilled.fields["idem"], fulfilled.fields["paid_at"], fulfilled.fields["tracking"]], ["k1", String(now + 5), "T1"])
        try scriptsCheckInvariants(redis, sale: sale)
    }

    /// A new sale gets schema 3 and a salt, which its updates keep; a schema-2 sale is
    /// updated in place and stays schema 2 (no salt: generated ids, idempotency entries).
    func testNewSalesAreSchemaThreeAndOldSalesStaySchemaTwo() throws {
        let server = try RedisServerProcess()
        let redis = try server.client()
        let sale = ScriptsTestSale(skus: ["a": 10], perUserLimit: 1)
        let salt = OrderIDSalt(high: 1, low: 2)
        XCTAssertEqual(try SaleUpsertOutcome.parse(redis.runScript(
            FlashSaleScripts.saleUpsertCall(sale.definition, nowMillis: now, newSaleSalt: salt))), .created)
        XCTAssertEqual(try redis.command("HMGET", sale.keys.saleHash, "schema", "id_salt").elements.map(\.string), ["3", salt.hex])
        var later = sale.definition
        later.endsAtMillis += 1000
        XCTAssertEqual(try SaleUpsertOutcome.parse(redis.runScript(
            FlashSaleScripts.saleUpsertCall(later, nowMillis: now, newSaleSalt: OrderIDSalt(high: 3, low: 4)))), .updated)
        XCTAssertEqual(try redis.command("HGET", sale.keys.saleHash, "id_salt").string, salt.hex, "the salt never changes")

        _ = try redis.command("HSET", sale.keys.saleHash, "schema", "2")
        _ = try redis.command("HDEL", sale.keys.saleHash, "id_salt")
        later.endsAtMillis += 1000
        XCTAssertEqual(try SaleUpsertOutcome.parse(redis.runScript(FlashSaleScripts.saleUpsertCall(later, nowMillis: now))), .updated)
        XCTAssertEqual(try redis.command("HMGET", sale.keys.saleHash, "schema", "id_salt").elements.map(\.string), ["2", nil])
        _ = try redis.command("HSET", sale.keys.saleHash, "schema", "1")
        guard case .invalid = try SaleUpsertOutcome.parse(redis.runScript(FlashSaleScripts.saleUpsertCall(later, nowMillis: now))) else {
            return XCTFail("a schema-1 sale must be migrated first")
        }
    }
}
