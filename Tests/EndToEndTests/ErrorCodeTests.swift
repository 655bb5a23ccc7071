import Foundation
import TestSupport
import XCTest

/// Every status and error code of the DESIGN table, against the running binary.
final class ErrorCodeTests: XCTestCase {
    func testEveryPurchaseAndOrderError() throws {
        let redis = try RedisServerProcess()
        let engine = try EngineProcess(redis: redis, arguments: ["--rate-limit-user", "off", "--max-body-bytes", "1024"])
        let db = try redis.client()
        let alice = try Tokens.buyer("alice")
        XCTAssertEqual(try engine.putSale("s", Sales.body(stock: ["a": 1, "b": 5], limit: 2)).status, 201)
        XCTAssertEqual(try engine.putSale("future", Sales.body(stock: ["a": 1], startsIn: 3600, endsIn: 7200)).status, 201)
        XCTAssertEqual(try engine.putSale("past", Sales.body(stock: ["a": 1], startsIn: -7200, endsIn: -3600)).status, 201)

        func expect(_ result: HTTPResult, _ status: Int, _ code: String?, file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertEqual(result.status, status, result.body, file: file, line: line)
            if let code { XCTAssertEqual(result.errorCode, code, result.body, file: file, line: line) }
            if status >= 400 {
                XCTAssertEqual(result.headers["content-type"], "application/json", file: file, line: line)
                XCTAssertFalse(result.errorMessage?.isEmpty ?? true, "every error has a message", file: file, line: line)
            }
        }

        // 400 bad_request with a message saying what is wrong.
        let bad = try engine.send("POST", "/v1/sales/s/purchases", headers: ["Authorization": "Bearer \(alice)", "Content-Type": "application/json"],
                                  body: #"{"sku":"a","qty":99999999999999999999}"#)
        expect(bad, 400, "bad_request")
        XCTAssertTrue(bad.errorMessage?.contains("qty") == true)
        expect(try engine.send("POST", "/v1/sales/s/purchases", headers: ["Authorization": "Bearer \(alice)", "Content-Type": "application/json"],
                               body: #"{"sku":"a","quantity":1}"#), 400, "bad_request")
        expect(try engine.send("POST", "/v1/sales/s/purchases", headers: ["Authorization": "Bearer \(alice)", "Content-Type": "application/json"],
                               body: "not json"), 400, "bad_request")
        expect(try engine.buy("s", sku: "a", qty: 0, token: alice), 400, "bad_request")
        expect(try engine.buy("bad{id}", sku: "a", token: alice), 400, "bad_request")
        expect(try engine.buy("s", sku: "a", token: alice, key: "has space"), 400, "bad_request")
        // 401
        expect(try engine.send("POST", "/v1/sales/s/purchases", headers: ["Content-Type": "application/json"], body: #"{"sku":"a"}"#), 401, "unauthorized")
        // 404
        expect(try engine.buy("nosuch", sku: "a", token: alice), 404, "sale_not_found")
        expect(try engine.buy("s", sku: "zzz", token: alice), 404, "sku_not_found")
        expect(try engine.get("/v1/sales/nosuch"), 404, "sale_not_found")
        expect(try engine.order("0000000000000000000000000Z", token: alice), 404, "order_not_found")
        // An id of the wrong shape names no order either.
        expect(try engine.order("short", token: alice), 404, "order_not_found")
        expect(try engine.cancel("short", token: alice), 404, "order_not_found")
        expect(try engine.pay("short"), 404, "order_not_found")
        expect(try engine.get("/v1/nothing/here"), 404, nil)
        // 409
        expect(try engine.buy("future", sku: "a", token: alice), 409, "sale_not_started")
        expect(try engine.buy("past", sku: "a", token: alice), 409, "sale_ended")
        expect(try engine.buy("s", sku: "b", qty: 3, token: alice), 409, "limit_exceeded")
        expect(try engine.buy("s", sku: "a", token: alice), 201, nil)
        expect(try engine.buy("s", sku: "a", token: try Tokens.buyer("bob")), 409, "sold_out")
        expect(try engine.putSale("s", Sales.body(stock: ["a": 3, "b": 5], limit: 2)), 409, "sale_live")
        // 405, 413, 415, 431
        let wrongMethod = try engine.send("DELETE", "/v1/sales/s")
        expect(wrongMethod, 405, nil)
        XCTAssertNotNil(wrongMethod.headers["allow"])
        expect(try engine.send("POST", "/v1/sales/s/purchases", headers: ["Authorization": "Bearer \(alice)", "Content-Type": "application/json"],
                               body: String(repeating: " ", count: 2048)), 413, nil)
        expect(try engine.send("POST", "/v1/sales/s/purchases", headers: ["Authorization": "Bearer \(alice)", "Content-Type": "text/plain"],
                               body: #"{"sku":"a"}"#), 415, nil)
        expect(try engine.send("GET", "/v1/sales/s", headers: ["X-Big": String(repeating: "x", count: 20_000)]), 431, nil)
        // 422 is in IdempotencyTests; 429 in LimitTests; 503 below.
        try RedisInvariants.check(db, sale: "s", limit: 2)

        // 503: Redis down -> /readyz 503 (the node is not ready), /healthz still 200 (it lives),
        // purchases 503 overloaded with Retry-After.
        redis.kill9()
        var readiness: HTTPResult?
        waitUntil(timeoutSeconds: 5, pollMillis: 100) {
            readiness = try? engine.get("/readyz")
            return readiness?.status == 503
        }
        XCTAssertEqual(readiness?.status, 503)
        XCTAssertTrue(readiness?.body.contains(#""state":"redis_unreachable""#) == true, readiness?.body ?? "")
        XCTAssertEqual(try engine.get("/healthz").status, 200)
        let shed = try engine.buy("s", sku: "b", token: alice)
        expect(shed, 503, "overloaded")
        XCTAssertNotNil(shed.headers["retry-after"].flatMap { Int($0) })
        // It recovers by itself when Redis returns.
        try redis.restart()
        XCTAssertTrue(waitUntil(timeoutSeconds: 10, pollMillis: 100) { (try? engine.get("/readyz").status) == 200 })
    }

    func testBadTokensAreRefusedWithDistinctMessages() throws {
        let redis = try RedisServerProcess()
        let engine = try EngineProcess(redis: redis)
        XCTAssertEqual(try engine.putSale("s", Sales.body(stock: ["a": 10])).status, 201)
        let good = try Tokens.buyer("dave")
        let parts = good.split(separator: ".").map(String.init)
        func b64(_ text: String) -> String {
            Data(text.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
                .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }
        let expired = try Tokens.run(["token", "--sub", "dave", "--ttl=-10"])
        let notYet = try Tokens.run(["token", "--sub", "dave", "--not-before", "600"])
        let otherSecret = try Tokens.run(["token", "--sub", "dave"], environment: ["FLASHSALE_JWT_SECRET": "not-the-secret"])
        var flipped = Array(parts[2])
        flipped[5] = flipped[5] == "A" ? "B" : "A"
        let cases: [(String, String)] = [
            ("\(b64(#"{"alg":"none","typ":"JWT"}"#)).\(parts[1]).", "algorithm"),
            ("\(b64(#"{"alg":"HS512","typ":"JWT"}"#)).\(parts[1]).\(parts[2])", "algorithm"),
            (otherSecret, "signature"),
            ("\(parts[0]).\(parts[1]).\(String(flipped))", "signature"),
            ("\(parts[0]).\(b64(#"{"sub":"admin","exp":9999999999}"#)).\(parts[2])", "signature"),
            (expired, "expired"),
            (notYet, "not valid yet"),
            ("abc.def", "malformed"),
        ]
        var messages = Set<String>()
        for (token, fragment) in cases {
            let result = try engine.buy("s", sku: "a", token: token)
            XCTAssertEqual(result.status, 401, "\(fragment): \(result.body)")
            XCTAssertEqual(result.errorCode, "unauthorized")
            XCTAssertTrue(result.errorMessage?.contains(fragment) == true, "\(fragment) not in \(result.errorMessage ?? "")")
            messages.insert(result.errorMessage ?? "")
        }
        XCTAssertGreaterThanOrEqual(messages.count, 5)
        let missing = try engine.send("POST", "/v1/sales/s/purchases", headers: ["Content-Type": "application/json"], body: #"{"sku":"a"}"#)
        XCTAssertTrue(missing.errorMessage?.contains("missing bearer token") == true)
        // Admin and payment secrets.
        XCTAssertEqual(try engine.putSale("s2", Sales.body(stock: ["a": 1]), token: "wrong").status, 401)
        XCTAssertEqual(try engine.putSale("s2", Sales.body(stock: ["a": 1]), token: Secrets.payment).status, 401)
        let order = try engine.buy("s", sku: "a", token: good)
        let id = try XCTUnwrap(order.json["order_id"] as? String)
        XCTAssertEqual(try engine.pay(id, token: Secrets.admin).status, 401)
        XCTAssertEqual(try engine.pay(id, token: good).status, 401)
        XCTAssertEqual(try engine.pay(id).status, 200)
        // X-User-Id is ignored unless --trust-user-header.
        XCTAssertEqual(try engine.buyAs("s", user: "eve", sku: "a").status, 401)
    }

    func testServeRefusesToStartWithoutSecrets() throws {
        for missing in ["FLASHSALE_JWT_SECRET", "FLASHSALE_ADMIN_TOKEN", "FLASHSALE_PAYMENT_TOKEN", "FLASHSALE_FULFILMENT_TOKEN"] {
            var environment = Secrets.environment
            environment[missing] = ""
            let child = try ChildProcess(executable: builtBinary("flashsale"),
                                         arguments: ["serve", "--port", String(freeLoopbackPort())], environment: environment)
            let status = child.waitForExit(timeoutSeconds: 10)
            XCTAssertNotNil(status)
            XCTAssertNotEqual(status, 0)
            XCTAssertTrue(child.output().contains(missing), child.output())
        }
        let help = try ChildProcess(executable: builtBinary("flashsale"), arguments: ["serve", "--help"])
        XCTAssertEqual(help.waitForExit(timeoutSeconds: 10), 0)
        for flag in ["--port", "--host", "--redis", "--workers", "--ack", "--node-id", "--trust-user-header",
                     "--rate-limit-user", "--rate-limit-address", "FLASHSALE_PORT", "FLASHSALE_REDIS", "FLASHSALE_ACK"] {
            XCTAssertTrue(help.output().contains(flag), "serve --help lacks \(flag)")
        }
    }
}
