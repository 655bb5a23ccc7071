import Foundation
import TestSupport
import XCTest

/// The whole life of orders: create a sale, buy, read, pay; buy, cancel, sell
/// again; buy, expire (1 s TTL), pay -> 409. Redis invariants after each step.
final class LifecycleTests: XCTestCase {
    func testCreateBuyReadPayCancelResellExpire() throws {
        let redis = try RedisServerProcess()
        let engine = try EngineProcess(redis: redis)
        let db = try redis.client()
        let alice = try Tokens.buyer("alice")
        let bob = try Tokens.buyer("bob")

        // Create: 201 with the sale; the same PUT again: 200 unchanged.
        let definition = Sales.body(stock: ["tv": 2], limit: 1, ttl: 600)
        let created = try engine.putSale("launch", definition)
        XCTAssertEqual(created.status, 201, created.body)
        XCTAssertEqual(created.json["state"] as? String, "live")
        XCTAssertEqual(try engine.putSale("launch", definition).status, 200)
        let sale = try engine.get("/v1/sales/launch")
        XCTAssertEqual(sale.status, 200)
        let items = sale.json["items"] as? [[String: Any]]
        XCTAssertEqual(items?.first?["stock"] as? Int, 2)
        XCTAssertEqual(items?.first?["available"] as? Int, 2)
        try RedisInvariants.check(db, sale: "launch", limit: 1)

        // Buy, read, pay.
        let bought = try engine.buy("launch", sku: "tv", token: alice)
        XCTAssertEqual(bought.status, 201, bought.body)
        let orderID = try XCTUnwrap(bought.json["order_id"] as? String)
        XCTAssertEqual(bought.json["status"] as? String, "reserved")
        XCTAssertEqual(bought.headers["location"], "/v1/orders/\(orderID)")
        // --ack persisted: the 201 names an order already in Redis.
        XCTAssertEqual(try db.command("HGET", "fs:{launch}:orders", orderID).string?.split(separator: " ").first.map(String.init), "reserved")
        let read = try engine.order(orderID, token: alice)
        XCTAssertEqual(read.status, 200)
        XCTAssertEqual(read.json["user"] as? String, "alice")
        XCTAssertEqual(read.json["qty"] as? Int, 1)
        XCTAssertEqual(try engine.order(orderID, token: bob).status, 404, "another buyer's order is not revealed")
        let paid = try engine.pay(orderID)
        XCTAssertEqual(paid.status, 200, paid.body)
        XCTAssertEqual(paid.json["status"] as? String, "paid")
        XCTAssertEqual(try engine.pay(orderID).status, 200, "a repeated payment callback is answered 200")
        XCTAssertEqual(try engine.cancel(orderID, token: alice).errorCode, "not_reserved")
        try RedisInvariants.check(db, sale: "launch", limit: 1)

        // Buy, cancel: the unit goes back to the pool and sells again.
        let second = try engine.buy("launch", sku: "tv", token: bob)
        XCTAssertEqual(second.status, 201, second.body)
        let secondID = try XCTUnwrap(second.json["order_id"] as? String)
        XCTAssertEqual(try engine.buy("launch", sku: "tv", token: try Tokens.buyer("carol")).errorCode, "sold_out")
        let cancelled = try engine.cancel(secondID, token: bob)
        XCTAssertEqual(cancelled.status, 200, cancelled.body)
        XCTAssertEqual(cancelled.json["status"] as? String, "cancelled")
        XCTAssertEqual(try engine.cancel(secondID, token: bob).status, 409)
        try RedisInvariants.check(db, sale: "launch", limit: 1)
        // The worker re-probes an empty pool within ~0.5 s: the returned unit sells again.
        var resold: HTTPResult?
        waitUntil(timeoutSeconds: 5, pollMillis: 200) {
            resold = try? engine.buy("launch", sku: "tv", token: try Tokens.buyer("carol"))
            return resold?.status == 201
        }
        XCTAssertEqual(resold?.status, 201, resold?.body ?? "")
        let states = try RedisInvariants.check(db, sale: "launch", limit: 1)
        XCTAssertEqual(states.first?.paid, 1)
        XCTAssertEqual(states.first?.reserved, 1)
        XCTAssertEqual(states.first?.cancelled, 1)

        // A 1 s reservation expires; paying it afterwards is 409 not_reserved.
        XCTAssertEqual(try engine.putSale("quick", Sales.body(stock: ["pen": 1], ttl: 1)).status, 201)
        let short = try engine.buy("quick", sku: "pen", token: alice)
        XCTAssertEqual(short.status, 201, short.body)
        let shortID = try XCTUnwrap(short.json["order_id"] as? String)
        let expired = try waitUntil(timeoutSeconds: 6, pollMillis: 200) {
            try db.command("HGET", "fs:{quick}:orders", shortID).string?.hasPrefix("expired ") == true
        }
        XCTAssertTrue(expired, "the sweeper expires the reservation")
        let late = try engine.pay(shortID)
        XCTAssertEqual(late.status, 409)
        XCTAssertEqual(late.errorCode, "not_reserved")
        // The late payment is on the stream for the payment team: one entry, this order.
        let entries = try db.command("XRANGE", "fs:{quick}:events", "-", "+").elements.map { $0.elements[1].elements.compactMap(\.string) }
        XCTAssertEqual(entries.map { $0.first == "type" ? $0[1] : "?" }, ["reserved", "expired", "payment_unmatched"])
        XCTAssertEqual(Array(entries.last?.suffix(2) ?? []), [shortID, "pen alice 1 0 expired"])
        let quick = try RedisInvariants.check(db, sale: "quick", limit: 1)
        XCTAssertEqual(quick.first?.expired, 1)
        XCTAssertEqual(quick.first?.reserved, 0)
        XCTAssertEqual(try engine.order(shortID, token: alice).json["status"] as? String, "expired")
    }

    func testFulfilAPaidOrder() throws {
        let redis = try RedisServerProcess()
        let engine = try EngineProcess(redis: redis)
        let db = try redis.client()
        let alice = try Tokens.buyer("alice")
        XCTAssertEqual(try engine.putSale("ship", Sales.body(stock: ["tv": 5], limit: 5)).status, 201)
        let paidID = try XCTUnwrap(try engine.buy("ship", sku: "tv", qty: 2, token: alice).json["order_id"] as? String)
        let unpaidID = try XCTUnwrap(try engine.buy("ship", sku: "tv", token: alice).json["order_id"] as? String)
        XCTAssertEqual(try engine.pay(paidID).status, 200)

        // Not paid: 409 not_paid; the wrong token: 401; a bad body: 400 naming the field.
        let unpaid = try engine.fulfil(unpaidID)
        XCTAssertEqual(unpaid.status, 409, unpaid.body)
        XCTAssertEqual(unpaid.errorCode, "not_paid")
        for token in [Secrets.payment, Secrets.admin, alice] {
            XCTAssertEqual(try engine.fulfil(paidID, token: token).status, 401)
        }
        let bad = try engine.fulfil(paidID, body: #"{"carrier":"DHL","tracking":"has space"}"#)
        XCTAssertEqual(bad.status, 400, bad.body)
        XCTAssertTrue(bad.body.contains("tracking"), bad.body)
        XCTAssertEqual(try engine.fulfil("0000000000000000000000000Z").errorCode, "order_not_found")

        // Paid: 200 fulfilled with the shipment; the identical replay 200; the read shows it.
        let done = try engine.fulfil(paidID, carrier: "DHL", tracking: "JD0146/00")
        XCTAssertEqual(done.status, 200, done.body)
        XCTAssertEqual(done.json["status"] as? String, "fulfilled")
        XCTAssertEqual(done.json["carrier"] as? String, "DHL")
        XCTAssertEqual(done.json["tracking"] as? String, "JD0146/00")
        XCTAssertEqual(try engine.fulfil(paidID, carrier: "DHL", tracking: "JD0146/00").status, 200, "a retried callback")
        XCTAssertEqual(try engine.fulfil(paidID, carrier: "UPS", tracking: "1Z").errorCode, "not_paid", "another shipment")
        let read = try engine.order(paidID, token: alice)
        XCTAssertEqual(read.json["status"] as? String, "fulfilled")
        XCTAssertEqual(read.json["tracking"] as? String, "JD0146/00")
        XCTAssertNotNil(read.json["fulfilled_at"] as? String)
        XCTAssertNotNil(read.json["closed_at"] as? String)
        XCTAssertNil(try engine.order(unpaidID, token: alice).json["carrier"])

        // One `fulfilled` entry on the stream, this order, with carrier and tracking.
        let entries = try db.command("XRANGE", "fs:{ship}:events", "-", "+").elements.map { $0.elements[1].elements.compactMap(\.string) }
        let fulfilled = entries.filter { $0.count > 1 && $0[1] == "fulfilled" }
        XCTAssertEqual(fulfilled.count, 1, "\(entries)")
        XCTAssertEqual(Array(fulfilled.first?.suffix(2) ?? []), [paidID, "tv alice 2 0 DHL JD0146/00"])
        let states = try RedisInvariants.check(db, sale: "ship", limit: 5)
        XCTAssertEqual(states.first?.paid, 2, "a fulfilled order still counts as paid")
    }

    func testFulfilmentTokenFromItsFile() throws {
        let redis = try RedisServerProcess()
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fs-fulfil-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("fulfilment-token").path
        try "token-from-a-file\n".write(toFile: file, atomically: true, encoding: .utf8)
        let engine = try EngineProcess(redis: redis, environment: [
            "FLASHSALE_FULFILMENT_TOKEN": "", "FLASHSALE_FULFILMENT_TOKEN_FILE": file,
        ])
        let unknown = "0000000000000000000000000Z"
        XCTAssertEqual(try engine.fulfil(unknown, token: "token-from-a-file").errorCode, "order_not_found", "the file's token is accepted")
        XCTAssertEqual(try engine.fulfil(unknown).status, 401, "the variable's (emptied) token is not")
    }

    func testAdminActionsAreAudited() throws {
        let redis = try RedisServerProcess()
        let engine = try EngineProcess(redis: redis)
        XCTAssertEqual(try engine.putSale("audited", Sales.body(stock: ["a": 1])).status, 201)
        XCTAssertEqual(try engine.putSale("audited", Sales.body(stock: ["a": 2])).status, 409, "stock change once live")
        let entries = try redis.client().command("XRANGE", "fs:audit", "-", "+").elements
        XCTAssertEqual(entries.count, 2)
        let first = entries[0].elements[1].hash
        XCTAssertEqual(first["actor"], "admin")
        XCTAssertEqual(first["action"], "sale.put")
        XCTAssertEqual(first["sale"], "audited")
        XCTAssertEqual(first["result"], "created")
        XCTAssertEqual(first["node"], engine.nodeID)
        XCTAssertEqual(first["address"], "127.0.0.1", "the client address, without a port")
        XCTAssertNotNil(first["at"].flatMap { Int64($0) })
        XCTAssertTrue(first["body"]?.contains("\"stock\":1") == true)
        XCTAssertEqual(entries[1].elements[1].hash["result"], "sale_live")
    }
}
