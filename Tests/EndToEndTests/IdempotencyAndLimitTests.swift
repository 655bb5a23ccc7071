import Foundation
import TestSupport
import XCTest

final class IdempotencyAndLimitTests: XCTestCase {
    func testIdempotencyRules() throws {
        let redis = try RedisServerProcess()
        let engine = try EngineProcess(redis: redis, arguments: ["--rate-limit-user", "off"])
        XCTAssertEqual(try engine.putSale("s", Sales.body(stock: ["a": 3, "b": 3], limit: 3)).status, 201)
        let alice = try Tokens.buyer("alice")
        let first = try engine.buy("s", sku: "a", token: alice, key: "k1")
        XCTAssertEqual(first.status, 201, first.body)
        // Same key, same body: the same answer and order.
        let again = try engine.buy("s", sku: "a", token: alice, key: "k1")
        XCTAssertEqual(again.status, 201)
        XCTAssertEqual(again.json["order_id"] as? String, first.json["order_id"] as? String)
        XCTAssertEqual(again.headers["idempotent-replayed"], "true")
        // Same key, other body: 422.
        let other = try engine.buy("s", sku: "a", qty: 2, token: alice, key: "k1")
        XCTAssertEqual(other.status, 422)
        XCTAssertEqual(other.errorCode, "idempotency_key_reused")
        XCTAssertEqual(try engine.buy("s", sku: "b", token: alice, key: "k1").status, 422)
        // Another user with the same key gets an order of their own.
        let bob = try engine.buy("s", sku: "a", token: try Tokens.buyer("bob"), key: "k1")
        XCTAssertEqual(bob.status, 201)
        XCTAssertNotEqual(bob.json["order_id"] as? String, first.json["order_id"] as? String)
        // A new key is a new order.
        let fresh = try engine.buy("s", sku: "a", token: alice, key: "k2")
        XCTAssertEqual(fresh.status, 201)
        XCTAssertNotEqual(fresh.json["order_id"] as? String, first.json["order_id"] as? String)
        // The replay still works after the SKU sold out.
        XCTAssertEqual(try engine.buy("s", sku: "a", token: try Tokens.buyer("carol")).errorCode, "sold_out")
        XCTAssertEqual(try engine.buy("s", sku: "a", token: alice, key: "k1").json["order_id"] as? String, first.json["order_id"] as? String)
        let db = try redis.client()
        let states = try RedisInvariants.check(db, sale: "s", limit: 3)
        XCTAssertEqual(states.first { $0.sku == "a" }?.reserved, 3, "three orders, not five")
        // Schema 3: a keyed order's id is derived from the buyer and the key; Redis keeps
        // no idempotency entry and no key in the record.
        XCTAssertEqual(try db.command("HGET", "fs:{s}:sale", "schema").string, "3")
        XCTAssertEqual(try db.command("EXISTS", "fs:{s}:idem").int, 0)
        let record = try XCTUnwrap(db.command("HGET", "fs:{s}:orders", first.json["order_id"] as? String ?? "").string)
        XCTAssertEqual(record.split(separator: " ").count, 8, record)
    }

    /// A retry that lands on another node (or on a node restarted since) finds the first
    /// order: the same id, times and body, and a conflicting body is refused, with no
    /// idempotency entry in Redis (schema 3).
    func testAKeyedRetryOnAnotherNodeReplaysTheFirstOrder() throws {
        let redis = try RedisServerProcess()
        let one = try EngineProcess(redis: redis, arguments: ["--rate-limit-user", "off"], nodeID: "n1")
        let two = try EngineProcess(redis: redis, arguments: ["--rate-limit-user", "off"], nodeID: "n2")
        XCTAssertEqual(try one.putSale("s", Sales.body(stock: ["a": 5, "b": 5], limit: 2)).status, 201)
        // Node two learns the sale with its next directory sync (every 2 s): a probe buyer's
        // purchase of SKU b tells when.
        let probe = try Tokens.buyer("probe")
        XCTAssertTrue(waitUntil(timeoutSeconds: 10, pollMillis: 100) { (try? two.buy("s", sku: "b", token: probe).status) == 201 })
        let alice = try Tokens.buyer("alice")
        let first = try one.buy("s", sku: "a", token: alice, key: "k1")
        XCTAssertEqual(first.status, 201, first.body)
        let id = try XCTUnwrap(first.json["order_id"] as? String)
        let replay = try two.buy("s", sku: "a", token: alice, key: "k1")
        XCTAssertEqual(replay.status, 201, replay.body)
        XCTAssertEqual(replay.json["order_id"] as? String, id)
        XCTAssertEqual(replay.json["expires_at"] as? String, first.json["expires_at"] as? String, "the first order's times")
        XCTAssertEqual(replay.headers["idempotent-replayed"], "true")
        XCTAssertEqual(try two.buy("s", sku: "a", qty: 2, token: alice, key: "k1").errorCode, "idempotency_key_reused")
        XCTAssertEqual(try two.buy("s", sku: "b", token: alice, key: "k1").errorCode, "idempotency_key_reused")
        try one.crashAndRestart()
        XCTAssertEqual(try one.buy("s", sku: "a", token: alice, key: "k1").json["order_id"] as? String, id, "after a restart too")
        XCTAssertEqual(try two.order(id, token: alice).status, 200)
        let db = try redis.client()
        let states = try RedisInvariants.check(db, sale: "s", limit: 2)
        XCTAssertEqual(states.first { $0.sku == "a" }?.reserved, 1, "one order for one key")
        XCTAssertEqual(states.first { $0.sku == "b" }?.reserved, 1, "the probe's order only")
        XCTAssertEqual(try db.command("EXISTS", "fs:{s}:idem").int, 0)
        XCTAssertEqual(try db.command("HLEN", "fs:{s}:orders").int, 2)
        // Anyone with the sale's salt finds the order from (user, key): docs/redis-schema.md.
        let salt = try XCTUnwrap(db.command("HGET", "fs:{s}:sale", "id_salt").string)
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/derived_order_id.py").path
        let derived = try ChildProcess(executable: "/usr/bin/env", arguments: ["python3", example, salt, "alice", "k1"])
        XCTAssertEqual(derived.waitForExit(timeoutSeconds: 30), 0, derived.output())
        XCTAssertEqual(derived.output().trimmingCharacters(in: .whitespacesAndNewlines), id)
    }

    func testPerUserLimitAndRateLimits() throws {
        let redis = try RedisServerProcess()
        let engine = try EngineProcess(redis: redis, arguments: ["--rate-limit-user", "1/3", "--rate-limit-address", "1000/1000"])
        XCTAssertEqual(try engine.putSale("s", Sales.body(stock: ["a": 100], limit: 2)).status, 201)
        let alice = try Tokens.buyer("alice")
        XCTAssertEqual(try engine.buy("s", sku: "a", token: alice).status, 201)
        XCTAssertEqual(try engine.buy("s", sku: "a", token: alice).status, 201)
        XCTAssertEqual(try engine.buy("s", sku: "a", token: alice).errorCode, "limit_exceeded")
        let limited = try engine.buy("s", sku: "a", token: alice)
        XCTAssertEqual(limited.status, 429)
        XCTAssertEqual(limited.errorCode, "rate_limited")
        XCTAssertGreaterThanOrEqual(Int(limited.headers["retry-after"] ?? "") ?? 0, 1)
        // Other users are not affected.
        XCTAssertEqual(try engine.buy("s", sku: "a", token: try Tokens.buyer("bob")).status, 201)
        try RedisInvariants.check(redis.client(), sale: "s", limit: 2)

        // Per address: a tight limit refuses the third request from 127.0.0.1.
        let tight = try EngineProcess(redis: redis, arguments: ["--rate-limit-address", "1/2"])
        XCTAssertEqual(try tight.get("/v1/sales/s").status, 200)
        XCTAssertEqual(try tight.get("/v1/sales/s").status, 200)
        let refused = try tight.get("/v1/sales/s")
        XCTAssertEqual(refused.status, 429)
        XCTAssertNotNil(refused.headers["retry-after"])
        XCTAssertEqual(try tight.get("/healthz").status, 200, "health checks are never rate limited")
    }

    func testTrustedUserHeaderAndKeepAlivePipelining() throws {
        let redis = try RedisServerProcess()
        let engine = try EngineProcess(redis: redis, arguments: ["--trust-user-header"])
        XCTAssertEqual(try engine.putSale("s", Sales.body(stock: ["a": 5])).status, 201)
        XCTAssertEqual(try engine.buyAs("s", user: "gw-user-1", sku: "a").status, 201)
        XCTAssertEqual(try engine.buyAs("s", user: "gw-user-1", sku: "a").errorCode, "limit_exceeded")
        XCTAssertEqual(try engine.buyAs("s", user: "bad user", sku: "a").status, 401)
        // Three pipelined purchases on one connection, answered in order.
        var raw = ""
        for user in ["p1", "p2", "p3"] {
            let body = #"{"sku":"a"}"#
            raw += "POST /v1/sales/s/purchases HTTP/1.1\r\nHost: x\r\nX-User-Id: \(user)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        }
        let answers = try HTTPTestClient.send(port: engine.port, raw: Array(raw.utf8), expectedResponses: 3)
        XCTAssertEqual(answers.map(\.status), [201, 201, 201])
        try RedisInvariants.check(redis.client(), sale: "s", limit: 1)
    }
}
