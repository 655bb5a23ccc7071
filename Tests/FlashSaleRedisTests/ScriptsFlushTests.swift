import FlashSaleRedis
import TestSupport
import XCTest
import FlashSaleWorker

final class ScriptsFlushTests: XCTestCase {
    /// Every key of the sale with its full content (counters' `rejected_*` left out),
    /// to prove that refused orders leave nothing behind.
    private func dumpSale(_ redis: BlockingRedis, _ sale: ScriptsTestSale) throws -> [String: String] {
        var out: [String: String] = [:]
        for key in try redis.command("KEYS", sale.keys.prefix + "*").elements.compactMap(\.string) {
            switch try redis.command("TYPE", key).string {
            case "string": out[key] = try redis.command("GET", key).string
            case "hash":
                let hash = try redis.command("HGETALL", key).hash.filter { !$0.key.hasPrefix("rejected_") }
                out[key] = hash.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            case "zset": out[key] = "\(try redis.command("ZRANGE", key, "0", "-1", "WITHSCORES"))"
            case "stream": out[key] = "\(try redis.command("XRANGE", key, "-", "+"))"
            case "list": out[key] = "\(try redis.command("LRANGE", key, "0", "-1"))"
            case let other: out[key] = "type \(other ?? "?")"
            }
        }
        return out
    }

    private func flush(_ redis: BlockingRedis, worker: String, _ orders: [FlushOrder], sale: String = "s1") throws -> FlushReply {
        try FlushReply.parse(redis.runScript(FlashSaleScripts.flushCall(sale: sale, worker: worker, orders: orders)))
    }

    func testBatchWithBadOrdersRejectsEachAndRecordsNothingPartial() throws {
        let server = try RedisServerProcess()
        let redis = try server.client()
        let sale = ScriptsTestSale(skus: ["a": 10, "b": 5], perUserLimit: 2)
        try sale.create(on: redis)
        let w = "n1/0"
        _ = try redis.runScript(FlashSaleScripts.leaseCall(sale: "s1", sku: "a", worker: w, want: 4))
        _ = try redis.runScript(FlashSaleScripts.leaseCall(sale: "s1", sku: "b", worker: w, want: 2))
        _ = try redis.runScript(FlashSaleScripts.leaseCall(sale: "s1", sku: "a", worker: "n1/1", want: 1))

        let first = [
            sale.order("o1", sku: "a", user: "u1", key: "k1"),
            sale.order("o2", sku: "a", user: "u2", qty: 2),
            sale.order("o3", sku: "b", user: "u1"),
        ]
        let one = try flush(redis, worker: w, first)
        XCTAssertEqual(one.results, [.recorded, .recorded, .recorded])
        XCTAssertEqual(one.leasesAfter, ["a": 1, "b": 1])
        try scriptsCheckInvariants(redis, sale: sale)

        // A retried batch (the reply was lost) records nothing twice.
        let before = try dumpSale(redis, sale)
        XCTAssertEqual(try flush(redis, worker: w, first).results, [.alreadyRecorded, .alreadyRecorded, .alreadyRecorded])
        XCTAssertEqual(try dumpSale(redis, sale), before)

        let second = [
            sale.order("p1", sku: "a", user: "u3", qty: 2),          // lease a holds 1
            sale.order("p2", sku: "a", user: "u1", key: "k1"),       // same key, same request
            sale.order("p3", sku: "a", user: "u1", qty: 2, key: "k1"), // same key, other request
            sale.order("p4", sku: "a", user: "u2"),                  // u2 holds 2 = limit
            sale.order("p5", sku: "b", user: "u4"),
            sale.order("p6", sku: "a", user: "u5", key: "k5"),       // the last unit of lease a
            sale.order("p7", sku: "a", user: "u6"),                  // lease a is empty now
            sale.order("o2", sku: "a", user: "u2", qty: 2),          // recorded earlier
            sale.order("p8", sku: "b", user: "u5", qty: 0),
            sale.order("p9", sku: "b", user: "u4", qty: 2),          // lease b is empty
            sale.order("p10", sku: "a", user: "u5", key: "k5"),      // key used earlier in this batch
        ]
        let now = ScriptsTestSale.now
        let two = try flush(redis, worker: w, second)
        XCTAssertEqual(two.results, [
            .rejected(.lease), .duplicate(existingOrderID: "o1", createdAtMillis: now, expiresAtMillis: now + 600_000, sameRequest: true),
            .duplicate(existingOrderID: "o1", createdAtMillis: 0, expiresAtMillis: 0, sameRequest: false), .rejected(.limit),
            .recorded, .recorded, .rejected(.lease), .alreadyRecorded, .rejected(.invalid), .rejected(.lease),
            .duplicate(existingOrderID: "p6", createdAtMillis: now, expiresAtMillis: now + 600_000, sameRequest: true),
        ])
        XCTAssertEqual(two.leasesAfter, ["a": 0, "b": 0])

        for id in ["p1", "p2", "p3", "p4", "p7", "p8", "p9", "p10"] {
            XCTAssertEqual(try redis.command("HEXISTS", sale.keys.orders, id).int, 0, "\(id) must leave no order")
        }
        // Schema 3 records keep no key (8 tokens).
        XCTAssertEqual(try redis.command("HGET", sale.keys.orders, "p6").string, "reserved a u5 1 0 \(now) \(now + 600_000) 0")
        XCTAssertEqual(try redis.command("HGET", sale.keys.orders, "o2").string, "reserved a u2 2 0 \(now) \(now + 600_000) 0")
        XCTAssertEqual(try redis.command("HLEN", sale.keys.orders).int, 5)
        XCTAssertEqual(try redis.command("HGETALL", sale.keys.idempotency).hash, [
            FlashSaleKeys.idempotencyField(user: "u1", key: "k1"): "o1",
            FlashSaleKeys.idempotencyField(user: "u5", key: "k5"): "p6",
        ])
        XCTAssertEqual(try redis.command("HGETALL", sale.keys.buyers("a")).hash, ["u1": "1", "u2": "2", "u5": "1"])
        XCTAssertEqual(try redis.command("HGETALL", sale.keys.buyers("b")).hash, ["u1": "1", "u4": "1"])
        XCTAssertEqual(try redis.command("HGETALL", sale.keys.leases("a")).hash, ["n1/1": "1"], "an empty lease is deleted")
        XCTAssertEqual(try redis.command("HGETALL", sale.keys.leases("b")).hash, [:])
        let countsA = try redis.command("HGETALL", sale.keys.counts("a")).hash
        XCTAssertEqual(countsA["reserved"], "4")
        XCTAssertEqual(countsA["rejected_lease"], "2")
        XCTAssertEqual(countsA["rejected_limit"], "1")
        XCTAssertNil(countsA["rejected_invalid"])
        let countsB = try redis.command("HGETALL", sale.keys.counts("b")).hash
        XCTAssertEqual(countsB["reserved"], "2")
        XCTAssertEqual(countsB["rejected_lease"], "1")
        XCTAssertEqual(countsB["rejected_invalid"], "1")
        // One `reserved` entry per flush that recorded something, one field per order.
        XCTAssertEqual(try redis.command("XLEN", sale.keys.events).int, 2)
        let last = try redis.command("XREVRANGE", sale.keys.events, "+", "-", "COUNT", "1").elements[0].elements[1]
        XCTAssertEqual(last.elements.compactMap(\.string), [
            "type", "reserved", "at", String(now), "currency", "XXX", "p5", "b u4 1 0", "p6", "a u5 1 0",
        ])
        try scriptsCheckInvariants(redis, sale: sale)

        // A batch where every order is refused changes nothing but rejected_* counters.
        let unchanged = try dumpSale(redis, sale)
        let refused = try flush(redis, worker: w, [
            sale.order("q1", sku: "a", user: "u7"), sale.order("q2", sku: "a", user: "u1", key: "k1"),
            sale.order("q3", sku: "b", user: "u8"),
        ])
        XCTAssertEqual(refused.results, [
            .rejected(.lease), .duplicate(existingOrderID: "o1", createdAtMillis: now, expiresAtMillis: now + 600_000, sameRequest: true),
            .rejected(.lease),
        ])
        XCTAssertEqual(try dumpSale(redis, sale), unchanged)
        XCTAssertEqual(try redis.command("HGET", sale.keys.counts("a"), "rejected_lease").int, 3)
        try scriptsCheckInvariants(redis, sale: sale)
    }

    func testMalformedOrdersAreRefusedBeforeAnyWrite() throws {
        let server = try RedisServerProcess()
        let redis = try server.client()
        let sale = ScriptsTestSale(skus: ["a": 10], perUserLimit: 10)
        try sale.create(on: redis)
        _ = try redis.runScript(FlashSaleScripts.leaseCall(sale: "s1", sku: "a", worker: "n/0", want: 10))
        let built = FlashSaleScripts.flushCall(sale: "s1", worker: "n/0", orders: [
            sale.order("g1", sku: "a", user: "u1"), sale.order("x1", sku: "a", user: "u2"),
            sale.order("x2", sku: "a", user: "u3"), sale.order("x3", sku: "a", user: "u4"),
            sale.order("g2", sku: "a", user: "u5"),
        ])
        // ARGV: 6 header values, 1 SKU name, then 8 per order (sku index at +1, qty at +3,
        // expires_at at +5).
        var arguments = built.arguments
        arguments[7 + 8 * 1 + 3] = "1.5"
        arguments[7 + 8 * 2 + 5] = "soon"
        arguments[7 + 8 * 3 + 1] = "1.5"
        let call = FlashSaleScriptCall(script: built.script, keys: built.keys, arguments: arguments)
        let outcome = try FlushReply.parse(redis.runScript(call))
        XCTAssertEqual(outcome.results, [.recorded, .rejected(.invalid), .rejected(.invalid), .rejected(.invalid), .recorded])
        XCTAssertEqual(try redis.command("HGET", sale.keys.counts("a"), "rejected_invalid").int, 2, "a bad SKU index counts nowhere")
        XCTAssertEqual(try redis.command("HGETALL", sale.keys.buyers("a")).hash, ["u1": "1", "u5": "1"])
        try scriptsCheckInvariants(redis, sale: sale)
    }

    func testUnknownSaleRecordsNothing() throws {
        let server = try RedisServerProcess()
        let redis = try server.client()
        let sale = ScriptsTestSale(id: "nope", skus: ["a": 1])
        let outcome = try flush(redis, worker: "n/0", [sale.order("x1", sku: "a", user: "u1")], sale: "nope")
        XCTAssertFalse(outcome.saleFound)
        XCTAssertEqual(try redis.command("DBSIZE").int, 0)
    }

    func testLargeMultiSKUBatchAndPerUserLimitWithinOneBatch() throws {
        let server = try RedisServerProcess()
        let redis = try server.client()
        let sale = ScriptsTestSale(skus: ["a": 300, "b": 300, "c": 300], perUserLimit: 2)
        try sale.create(on: redis)
        for sku in ["a", "b", "c"] {
            _ = try redis.runScript(FlashSaleScripts.leaseCall(sale: "s1", sku: sku, worker: "n/0", want: 300))
        }
        // 600 orders over 3 SKUs; 100 users each buying 2 of every SKU then one more.
        var orders: [FlushOrder] = []
        for round in 0..<2 {
            for user in 0..<100 {
                for sku in ["a", "b", "c"] { orders.append(sale.order("o-\(sku)-\(user)-\(round)", sku: sku, user: "u\(user)")) }
            }
        }
        for user in 0..<10 { orders.append(sale.order("extra-\(user)", sku: "b", user: "u\(user)")) }
        orders.append(sale.order("big", sku: "c", user: "newcomer", qty: 3))  // over the limit on its own
        let outcome = try flush(redis, worker: "n/0", orders)
        XCTAssertEqual(outcome.results.prefix(600).filter { $0 == .recorded }.count, 600)
        XCTAssertEqual(Array(outcome.results.suffix(11)), Array(repeating: .rejected(.limit), count: 11))
        XCTAssertEqual(try redis.command("HEXISTS", sale.keys.buyers("c"), "newcomer").int, 0, "a refused buyer leaves no entry")
        XCTAssertEqual(outcome.leasesAfter, ["a": 100, "b": 100, "c": 100], "limit refusals use no lease")
        let second = (ScriptsTestSale.now + 600_000) / 1000
        XCTAssertEqual(try redis.command("ZRANGE", sale.keys.expiry, "0", "-1").elements.compactMap(\.string), [String(second)])
        XCTAssertEqual(try redis.command("LLEN", sale.keys.expiry(second: second)).int, 600)
        XCTAssertEqual(try redis.command("XLEN", sale.keys.events).int, 1, "one entry for the batch")
        let entry = try redis.command("XRANGE", sale.keys.events, "-", "+").elements[0].elements[1].elements
        XCTAssertEqual(entry.count, 2 * (3 + 600))
        let snapshots = try scriptsCheckInvariants(redis, sale: sale)
        XCTAssertEqual(snapshots["b"]?.counts["rejected_limit"], 10)
        XCTAssertEqual(snapshots["c"]?.reserved, 200)
    }
}
