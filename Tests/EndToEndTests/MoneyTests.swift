import Foundation
import TestSupport
import XCTest

/// Prices and currency end to end: a priced sale, a purchase whose 201, order read,
/// packed record and `reserved`/`paid` events carry the exact amount and currency.
final class MoneyTests: XCTestCase {
    func testAmountAndCurrencyReachEveryRecord() throws {
        let redis = try RedisServerProcess()
        let engine = try EngineProcess(redis: redis)
        let db = try redis.client()
        let alice = try Tokens.buyer("alice")
        let plain = Sales.body(stock: ["tee": 10, "mug": 10], limit: 5)
        let priced = plain.replacingOccurrences(of: #""stock":10}"#, with: #""stock":10,"price":PRICE}"#)
            .replacingOccurrences(of: #""items":"#, with: #""currency":"EUR","items":"#)
        // mug then tee (sorted SKUs): 1,000,000,000,000 and 1999 minor units.
        let body = priced.replacingOccurrences(of: "PRICE", with: "1000000000000").replacingOccurrences(
            of: #""sku":"tee","stock":10,"price":1000000000000"#, with: #""sku":"tee","stock":10,"price":1999"#)
        let created = try engine.putSale("money", body)
        XCTAssertEqual(created.status, 201, created.body)
        XCTAssertEqual(created.json["currency"] as? String, "EUR")
        let bad = try engine.putSale("money2", priced.replacingOccurrences(of: "PRICE", with: "0"))
        XCTAssertEqual(bad.status, 400, bad.body)
        XCTAssertTrue(bad.body.contains("price"), bad.body)
        XCTAssertEqual(try engine.putSale("money2", body.replacingOccurrences(of: "EUR", with: "EURO")).status, 400)
        XCTAssertEqual(try engine.putSale("money", body.replacingOccurrences(of: "1999", with: "2000")).errorCode, "sale_live")

        let bought = try engine.buy("money", sku: "tee", qty: 3, token: alice)
        XCTAssertEqual(bought.status, 201, bought.body)
        XCTAssertEqual(bought.json["amount"] as? Int, 5997)
        XCTAssertEqual(bought.json["currency"] as? String, "EUR")
        let id = try XCTUnwrap(bought.json["order_id"] as? String)
        // The largest price × the largest quantity of this sale still fits: 5 × 10^12.
        let big = try engine.buy("money", sku: "mug", qty: 5, token: alice)
        XCTAssertEqual(big.json["amount"] as? Int, 5_000_000_000_000, big.body)
        let read = try engine.order(id, token: alice)
        XCTAssertEqual(read.json["amount"] as? Int, 5997)
        XCTAssertEqual(read.json["currency"] as? String, "EUR")

        let record = try XCTUnwrap(try db.command("HGET", "fs:{money}:orders", id).string)
        XCTAssertEqual(Array(record.split(separator: " ", omittingEmptySubsequences: false).prefix(5)), ["reserved", "tee", "alice", "3", "5997"])
        XCTAssertEqual(try engine.pay(id).status, 200)
        let entries = try db.command("XRANGE", "fs:{money}:events", "-", "+").elements.map { $0.elements[1].elements.compactMap(\.string) }
        func entry(_ type: String, with order: String) -> [String: String]? {
            for fields in entries where fields.count.isMultiple(of: 2) && fields.first == "type" && fields[1] == type {
                var map: [String: String] = [:]
                for index in stride(from: 0, to: fields.count, by: 2) { map[fields[index]] = fields[index + 1] }
                if map[order] != nil { return map }
            }
            return nil
        }
        let reserved = try XCTUnwrap(entry("reserved", with: id), "\(entries)")
        XCTAssertEqual(reserved["currency"], "EUR")
        XCTAssertEqual(reserved[id], "tee alice 3 5997")
        let paid = try XCTUnwrap(entry("paid", with: id), "\(entries)")
        XCTAssertEqual(paid["currency"], "EUR")
        XCTAssertEqual(paid[id], "tee alice 3 5997")
        let sale = try engine.get("/v1/sales/money")
        let items = try XCTUnwrap(sale.json["items"] as? [[String: Any]])
        XCTAssertEqual(items.first { $0["sku"] as? String == "tee" }?["price"] as? Int, 1999)
        XCTAssertEqual(sale.json["currency"] as? String, "EUR")
        try RedisInvariants.check(db, sale: "money", limit: 5)

        // A sale without prices: amount 0, currency XXX everywhere.
        XCTAssertEqual(try engine.putSale("free", plain).status, 201)
        let free = try engine.buy("free", sku: "mug", token: alice)
        XCTAssertEqual(free.json["amount"] as? Int, 0)
        XCTAssertEqual(free.json["currency"] as? String, "XXX")
    }
}
