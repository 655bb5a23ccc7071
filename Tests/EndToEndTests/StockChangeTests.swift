import Foundation
import TestSupport
import XCTest

/// `POST /v1/sales/{sale}/items/{sku}/stock` against real engines and Redis.
final class StockChangeTests: XCTestCase {
    private func change(_ engine: EngineProcess, _ sale: String, _ sku: String, _ body: String,
                        token: String = Secrets.admin) throws -> HTTPResult {
        try engine.send("POST", "/v1/sales/\(sale)/items/\(sku)/stock",
                        headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"], body: body)
    }

    func testAnswersAndAudit() throws {
        let redis = try RedisServerProcess()
        let engine = try EngineProcess(redis: redis)
        let db = try redis.client()
        XCTAssertEqual(try engine.putSale("st", Sales.body(stock: ["a": 10])).status, 201)
        let added = try change(engine, "st", "a", #"{"add":5}"#)
        XCTAssertEqual(added.status, 200, added.body)
        XCTAssertEqual(added.json["sku"] as? String, "a")
        XCTAssertEqual(added.json["total"] as? Int, 15)
        XCTAssertEqual(added.json["pool"] as? Int, 15)
        let tooMuch = try change(engine, "st", "a", #"{"remove":16}"#)
        XCTAssertEqual(tooMuch.status, 409, tooMuch.body)
        XCTAssertEqual(tooMuch.errorCode, "insufficient_pool")
        XCTAssertEqual(try change(engine, "st", "a", #"{"remove":15}"#).json["total"] as? Int, 0)
        XCTAssertEqual(try change(engine, "st", "zz", #"{"add":1}"#).errorCode, "sku_not_found")
        XCTAssertEqual(try change(engine, "nope", "a", #"{"add":1}"#).errorCode, "sale_not_found")
        XCTAssertEqual(try change(engine, "st", "a", #"{"add":1}"#, token: Secrets.payment).status, 401)
        XCTAssertEqual(try change(engine, "st", "a", #"{"add":1,"remove":1}"#).status, 400)
        XCTAssertEqual(try change(engine, "st", "a", #"{"add":1000000001}"#).status, 400)
        XCTAssertEqual(try change(engine, "st", "a", #"{"add":1000000000}"#).status, 200)
        XCTAssertEqual(try change(engine, "st", "a", #"{"add":1}"#).status, 400, "above SaleConfig.maxStock")
        try RedisInvariants.check(db, sale: "st")

        let audit = try db.command("XRANGE", "fs:audit", "-", "+").elements.map { $0.elements[1].hash }
        let stock = audit.filter { ($0["action"] ?? "").hasPrefix("stock_") }
        XCTAssertEqual(stock.map { $0["action"] ?? "" },
                       ["stock_add", "stock_remove", "stock_remove", "stock_add", "stock_add", "stock_add", "stock_add"],
                       "every change that reached Redis (not the 401 and 400s decided before it)")
        XCTAssertEqual(stock.map { $0["result"] ?? "" },
                       ["changed", "insufficient_pool", "changed", "sku_not_found", "sale_not_found", "changed", "invalid"])
        XCTAssertEqual(stock.first?["address"], "127.0.0.1")
        XCTAssertEqual(stock.first?["actor"], "admin")
        XCTAssertEqual(stock.first?["sale"], "st")
        XCTAssertEqual(stock.first?["node"], engine.nodeID)
        XCTAssertEqual(stock.first?["body"], #"{"add":5}"#)
        XCTAssertNotNil(stock.first?["at"].flatMap { Int64($0) })
    }

    /// A sell-out burst on two nodes while stock is added and removed: conservation holds
    /// throughout, every 201 is recorded, nothing is oversold and the final total sells out.
    func testStockChangesDuringASellOutBurst() throws {
        let redis = try RedisServerProcess()
        let db = try redis.client()
        let first = try EngineProcess(redis: redis, arguments: ["--trust-user-header", "--rate-limit-user", "off"], nodeID: "one")
        let second = try EngineProcess(redis: redis, arguments: ["--trust-user-header", "--rate-limit-user", "off"], nodeID: "two")
        XCTAssertEqual(try first.putSale("burst", Sales.body(stock: ["a": 200])).status, 201)
        XCTAssertTrue(waitUntil(timeoutSeconds: 5, pollMillis: 50) { (try? second.get("/v1/sales/burst").status) == 200 })
        let collectors = [first.port: OrderCollector(), second.port: OrderCollector()]
        let stop = AtomicFlag()
        let group = Burst.start([first.port, second.port], sale: "burst", threads: 4, prefix: "s", stop: stop, into: collectors)

        // Meanwhile: add 30 and remove 20 (when the pool holds them), alternating nodes.
        var delta: Int64 = 0
        var removalsRefused = 0
        for round in 0..<25 {
            let engine = round % 2 == 0 ? first : second
            let added = try change(engine, "burst", "a", #"{"add":30}"#)
            XCTAssertEqual(added.status, 200, added.body)
            delta += 30
            Thread.sleep(forTimeInterval: 0.02)
            let removed = try change(engine, "burst", "a", #"{"remove":20}"#)
            switch removed.status {
            case 200: delta -= 20
            case 409: XCTAssertEqual(removed.errorCode, "insufficient_pool"); removalsRefused += 1
            default: XCTFail("remove: \(removed.status) \(removed.body)")
            }
            try RedisInvariants.check(db, sale: "burst", limit: 1)
        }
        let finalTotal = 200 + delta
        // Demand exceeds the stock: the burst goes on until every unit is sold.
        let soldOut = waitUntil(timeoutSeconds: 40, pollMillis: 100) {
            guard let state = try? RedisInvariants.read(db, sale: "burst").first else { return false }
            return state.reserved + state.paid == finalTotal
        }
        stop.set()
        group.wait()
        XCTAssertTrue(soldOut, "not sold out: \(String(describing: try? RedisInvariants.read(db, sale: "burst")))")

        let states = try RedisInvariants.check(db, sale: "burst", limit: 1)
        let state = try XCTUnwrap(states.first)
        XCTAssertEqual(state.total, finalTotal, "total = initial stock + every change answered 200")
        XCTAssertEqual(state.reserved + state.paid, finalTotal, "sold exactly the final total")
        let acknowledged = collectors[first.port]!.all + collectors[second.port]!.all
        try RedisInvariants.assertRecorded(db, sale: "burst", acknowledged)
        XCTAssertLessThanOrEqual(Int64(acknowledged.count), finalTotal, "no oversell")
        XCTAssertEqual(try db.command("HLEN", "fs:{burst}:orders").int, finalTotal)
        // GET /v1/sales shows the new stock and nothing available.
        let sale = try second.get("/v1/sales/burst")
        let item = try XCTUnwrap((sale.json["items"] as? [[String: Any]])?.first)
        XCTAssertEqual(item["stock"] as? Int, Int(finalTotal), sale.body)
        XCTAssertEqual(item["available"] as? Int, 0, sale.body)
    }
}
