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
        XCTAssertEqual(try db.command("HLEN", "fs:{s}:idem").int, 3)
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
