import Foundation
import TestSupport
import XCTest

/// `flashsale migrate` upgrades a schema 1 Redis: order hashes become packed records, the
/// expiry set becomes expiry lists, and an engine then serves the migrated orders.
final class MigrationTests: XCTestCase {
    func testSchema1SaleIsMigratedAndServed() throws {
        let redis = try RedisServerProcess()
        let db = try redis.client()
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let expires = now + 600_000
        let reservedID = "01JDZ8K3Q4M5N6P7R8S9T0V1W2", paidID = "01JDZ8K3Q4M5N6P7R8S9T0V1W3"
        // A live schema 1 sale as a schema 1 engine left it: alice reserved 1, bob paid 1.
        _ = try db.pipeline([
            ["HSET", "fs:{old}:sale", "id", "old", "starts_at", String(now - 60_000), "ends_at", String(now + 3_600_000),
             "per_user_limit", "2", "reservation_ttl_s", "600", "skus", "tv", "schema", "1", "revision", "1"],
            ["SET", "fs:{old}:pool:tv", "8"],
            ["HSET", "fs:{old}:counts:tv", "total", "10", "reserved", "1", "paid", "1", "cancelled", "0", "expired", "0"],
            ["HSET", "fs:{old}:buyers:tv", "alice", "1", "bob", "1"],
            ["HSET", "fs:{old}:order:\(reservedID)", "sku", "tv", "user", "alice", "qty", "1", "status", "reserved",
             "created_at", String(now), "expires_at", String(expires), "idem", "k1"],
            ["HSET", "fs:{old}:order:\(paidID)", "sku", "tv", "user", "bob", "qty", "1", "status", "paid",
             "created_at", String(now), "expires_at", String(expires), "paid_at", String(now + 5)],
            ["ZADD", "fs:{old}:expiry", String(expires), reservedID],
            ["HSET", "fs:{old}:idem", "5:alice:k1", reservedID],
            ["SADD", "fs:sales", "old"],
            ["SET", "fs:schema", "1"],
        ])

        for _ in 0..<2 {  // idempotent: the second run finds the sale at schema 2
            let output = try Tokens.run(["migrate", "--redis", redis.url], environment: [:])
            XCTAssertTrue(output.contains("fs:schema = 3"), output)
        }
        XCTAssertEqual(try db.command("GET", "fs:schema").string, "3")
        XCTAssertEqual(try db.command("HGET", "fs:{old}:sale", "schema").string, "2")
        XCTAssertEqual(try db.command("HGET", "fs:{old}:orders", reservedID).string,
                       "reserved tv alice 1 0 \(now) \(expires) 0 k1")
        XCTAssertEqual(try db.command("HGET", "fs:{old}:orders", paidID).string,
                       "paid tv bob 1 0 \(now) \(expires) \(now + 5) ")
        XCTAssertEqual(try db.command("KEYS", "fs:{old}:order:*").elements.count, 0, "schema 1 order hashes are gone")
        XCTAssertEqual(try db.command("ZRANGE", "fs:{old}:expiry", "0", "-1").elements.compactMap(\.string), [String(expires / 1000)])
        XCTAssertEqual(try db.command("LRANGE", "fs:{old}:expiry:\(expires / 1000)", "0", "-1").elements.compactMap(\.string), [reservedID])

        let engine = try EngineProcess(redis: redis)
        let alice = try Tokens.buyer("alice")
        let read = try engine.order(reservedID, token: alice)
        XCTAssertEqual(read.status, 200, read.body)
        XCTAssertEqual(read.json["status"] as? String, "reserved")
        let paid = try engine.pay(reservedID)
        XCTAssertEqual(paid.status, 200, paid.body)
        XCTAssertEqual(paid.json["status"] as? String, "paid")
        // The migrated sale stays schema 2: a retry of alice's keyed purchase is found through
        // its idempotency entry; a new keyed order gets a generated id and an entry.
        XCTAssertEqual(try engine.buy("old", sku: "tv", token: alice, key: "k1").json["order_id"] as? String, reservedID)
        let fresh = try engine.buy("old", sku: "tv", token: alice, key: "k9")
        XCTAssertEqual(fresh.status, 201, fresh.body)
        let freshID = try XCTUnwrap(fresh.json["order_id"] as? String)
        XCTAssertEqual(try db.command("HGET", "fs:{old}:idem", "5:alice:k9").string, freshID)
        XCTAssertEqual(try engine.buy("old", sku: "tv", token: alice, key: "k9").json["order_id"] as? String, freshID)
        try RedisInvariants.check(db, sale: "old", limit: 2)
    }
}
