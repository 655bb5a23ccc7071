import Foundation
import TestSupport
import XCTest

/// Every (method, path, status) documented in docs/openapi.yaml is produced by
/// the running server, and every error body carries a documented code.
final class OpenAPIConformanceTests: XCTestCase {
    struct Operation: Hashable, CustomStringConvertible {
        var method: String
        var path: String
        var status: Int
        var description: String { "\(method) \(path) \(status)" }
    }

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Reads paths, methods and response codes from the (block-style) YAML document.
    static func documentedOperations() throws -> (operations: Set<Operation>, errorCodes: Set<String>) {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        var operations = Set<Operation>()
        var path: String?
        var method: String?
        var inPaths = false
        var codes = Set<String>()
        var inEnum = false
        for line in text.components(separatedBy: "\n") {
            if line == "paths:" { inPaths = true; continue }
            if !line.hasPrefix(" ") && !line.isEmpty { inPaths = line == "paths:" }
            if inPaths, line.hasPrefix("  /"), line.hasSuffix(":"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())
                method = nil
            } else if inPaths, line.hasPrefix("    "), !line.hasPrefix("     "), line.hasSuffix(":") {
                let word = line.trimmingCharacters(in: .whitespaces).dropLast()
                method = ["get", "put", "post", "delete", "patch"].contains(String(word)) ? String(word).uppercased() : nil
            } else if inPaths, let path, let method, line.hasPrefix("        '"), !line.hasPrefix("         ") {
                let status = line.trimmingCharacters(in: .whitespaces).dropFirst().prefix(3)
                if let code = Int(status) { operations.insert(Operation(method: method, path: path, status: code)) }
            }
            // The Error schema's code enum (may span lines).
            if line.contains("enum: [bad_request") { inEnum = true }
            if inEnum {
                let list = line.replacingOccurrences(of: "enum: [", with: "").replacingOccurrences(of: "]", with: "")
                for item in list.split(separator: ",") {
                    let code = item.trimmingCharacters(in: .whitespaces)
                    if !code.isEmpty { codes.insert(code) }
                }
                if line.contains("]") { inEnum = false }
            }
        }
        return (operations, codes)
    }

    func testEveryDocumentedRouteAndStatusIsServed() throws {
        let (documented, errorCodes) = try Self.documentedOperations()
        XCTAssertGreaterThan(documented.count, 35, "parsed too few operations from openapi.yaml")
        XCTAssertTrue(errorCodes.contains("sold_out") && errorCodes.contains("redis_unavailable"))

        let redis = try RedisServerProcess()
        let engine = try EngineProcess(redis: redis, arguments: ["--rate-limit-user", "off"])
        let limited = try EngineProcess(redis: redis, arguments: ["--rate-limit-user", "1/1"])
        let alice = try Tokens.buyer("alice")
        let bob = try Tokens.buyer("bob")
        let json = ["Content-Type": "application/json"]
        func auth(_ token: String) -> [String: String] { ["Authorization": "Bearer \(token)"] }
        let saleBody = Sales.body(stock: ["a": 100, "one": 1], limit: 50)
        XCTAssertEqual(try engine.putSale("oa", saleBody).status, 201)

        func newOrder(_ token: String = alice) throws -> String {
            let result = try engine.buy("oa", sku: "a", token: token)
            guard let id = result.json["order_id"] as? String else { throw HTTPTestError(description: "no order: \(result.body)") }
            return id
        }
        let unknownOrder = "0000000000000000000000000Z"

        var scenarios: [Operation: () throws -> HTTPResult] = [:]
        func add(_ method: String, _ path: String, _ status: Int, _ run: @escaping () throws -> HTTPResult) {
            scenarios[Operation(method: method, path: path, status: status)] = run
        }
        let sale = "/v1/sales/{sale}", purchases = "/v1/sales/{sale}/purchases"
        let order = "/v1/orders/{order}", cancel = "/v1/orders/{order}/cancel", pay = "/v1/orders/{order}/pay"
        add("PUT", sale, 201) { try engine.putSale("oa2", Sales.body(stock: ["a": 1])) }
        add("PUT", sale, 200) { try engine.putSale("oa", saleBody) }
        add("PUT", sale, 400) { try engine.putSale("oa3", #"{"items":[]}"#) }
        add("PUT", sale, 401) { try engine.putSale("oa3", Sales.body(stock: ["a": 1]), token: "nope") }
        add("PUT", sale, 409) { try engine.putSale("oa2", Sales.body(stock: ["a": 2])) }
        add("PUT", sale, 415) { try engine.send("PUT", "/v1/sales/oa3", headers: auth(Secrets.admin).merging(["Content-Type": "text/plain"]) { $1 }, body: "{}") }
        let stock = "/v1/sales/{sale}/items/{sku}/stock"
        // Its own sale: the PUT scenarios re-send `saleBody` to "oa", which a stock change would make a conflict.
        XCTAssertEqual(try engine.putSale("oas", saleBody).status, 201)
        func changeStock(_ body: String, path: String = "/v1/sales/oas/items/a/stock", token: String = Secrets.admin) throws -> HTTPResult {
            try engine.send("POST", path, headers: auth(token).merging(json) { $1 }, body: body)
        }
        add("POST", stock, 200) { try changeStock(#"{"add":5}"#) }
        add("POST", stock, 400) { try changeStock(#"{"add":0}"#) }
        add("POST", stock, 401) { try changeStock(#"{"add":1}"#, token: Secrets.payment) }
        add("POST", stock, 404) { try changeStock(#"{"add":1}"#, path: "/v1/sales/oas/items/zz/stock") }
        add("POST", stock, 409) { try changeStock(#"{"remove":1000}"#, path: "/v1/sales/oas/items/one/stock") }
        add("POST", stock, 415) { try engine.send("POST", "/v1/sales/oas/items/a/stock", headers: auth(Secrets.admin), body: #"{"add":1}"#) }
        add("GET", sale, 200) { try engine.get("/v1/sales/oa") }
        add("GET", sale, 400) { try engine.get("/v1/sales/b%20d") }
        add("GET", sale, 404) { try engine.get("/v1/sales/none") }
        add("POST", purchases, 201) { try engine.buy("oa", sku: "a", token: alice) }
        add("POST", purchases, 400) { try engine.send("POST", "/v1/sales/oa/purchases", headers: auth(alice).merging(json) { $1 }, body: "{}") }
        add("POST", purchases, 401) { try engine.send("POST", "/v1/sales/oa/purchases", headers: json, body: #"{"sku":"a"}"#) }
        add("POST", purchases, 404) { try engine.buy("oa", sku: "nope", token: alice) }
        add("POST", purchases, 409) {
            _ = try engine.buy("oa", sku: "one", token: bob)
            return try engine.buy("oa", sku: "one", token: alice)
        }
        add("POST", purchases, 415) { try engine.send("POST", "/v1/sales/oa/purchases", headers: auth(alice), body: #"{"sku":"a"}"#) }
        add("POST", purchases, 422) {
            _ = try engine.buy("oa", sku: "a", token: bob, key: "same")
            return try engine.buy("oa", sku: "a", qty: 2, token: bob, key: "same")
        }
        add("POST", purchases, 429) {
            _ = try limited.buy("oa", sku: "nope", token: alice)
            return try limited.buy("oa", sku: "nope", token: alice)
        }
        add("GET", order, 200) { try engine.order(try newOrder(), token: alice) }
        add("GET", order, 401) { try engine.get("/v1/orders/\(unknownOrder)") }
        add("GET", order, 404) { try engine.order(unknownOrder, token: alice) }
        add("GET", order, 429) {
            _ = try limited.order(unknownOrder, token: bob)
            return try limited.order(unknownOrder, token: bob)
        }
        add("POST", cancel, 200) { try engine.cancel(try newOrder(), token: alice) }
        add("POST", cancel, 401) { try engine.send("POST", "/v1/orders/\(unknownOrder)/cancel") }
        add("POST", cancel, 404) { try engine.cancel(unknownOrder, token: alice) }
        add("POST", cancel, 409) {
            let id = try newOrder()
            _ = try engine.cancel(id, token: alice)
            return try engine.cancel(id, token: alice)
        }
        add("POST", cancel, 429) {
            let carol = try Tokens.buyer("carol")
            _ = try limited.cancel(unknownOrder, token: carol)
            return try limited.cancel(unknownOrder, token: carol)
        }
        add("POST", pay, 200) { try engine.pay(try newOrder()) }
        add("POST", pay, 401) { try engine.pay(unknownOrder, token: Secrets.admin) }
        add("POST", pay, 404) { try engine.pay(unknownOrder) }
        add("POST", pay, 409) {
            let id = try newOrder()
            _ = try engine.cancel(id, token: alice)
            return try engine.pay(id)
        }
        let fulfil = "/v1/orders/{order}/fulfil"
        func paidOrder() throws -> String {
            let id = try newOrder()
            _ = try engine.pay(id)
            return id
        }
        add("POST", fulfil, 200) { try engine.fulfil(try paidOrder()) }
        add("POST", fulfil, 400) { try engine.fulfil(unknownOrder, body: #"{"carrier":"DHL"}"#) }
        add("POST", fulfil, 401) { try engine.fulfil(unknownOrder, token: Secrets.payment) }
        add("POST", fulfil, 404) { try engine.fulfil(unknownOrder) }
        add("POST", fulfil, 409) { try engine.fulfil(try newOrder()) }
        add("POST", fulfil, 415) {
            try engine.send("POST", "/v1/orders/\(unknownOrder)/fulfil", headers: auth(Secrets.fulfilment), body: #"{"carrier":"a","tracking":"b"}"#)
        }
        add("GET", "/healthz", 200) { try engine.get("/healthz") }
        add("GET", "/readyz", 200) { try engine.get("/readyz") }
        add("GET", "/metrics", 200) { try engine.get("/metrics") }

        // With Redis gone: every route that needs it answers 503.
        var afterRedisDown: [Operation: () throws -> HTTPResult] = [:]
        let someOrder = try newOrder()
        afterRedisDown[Operation(method: "PUT", path: sale, status: 503)] = { try engine.putSale("oa4", Sales.body(stock: ["a": 1])) }
        afterRedisDown[Operation(method: "GET", path: sale, status: 503)] = { try engine.get("/v1/sales/oa") }
        afterRedisDown[Operation(method: "POST", path: "/v1/sales/{sale}/items/{sku}/stock", status: 503)] = {
            try engine.send("POST", "/v1/sales/oas/items/a/stock", headers: auth(Secrets.admin).merging(json) { $1 }, body: #"{"add":1}"#)
        }
        afterRedisDown[Operation(method: "POST", path: purchases, status: 503)] = { try engine.buy("oa", sku: "a", token: alice) }
        afterRedisDown[Operation(method: "GET", path: order, status: 503)] = { try engine.order(someOrder, token: alice) }
        afterRedisDown[Operation(method: "POST", path: cancel, status: 503)] = { try engine.cancel(someOrder, token: alice) }
        afterRedisDown[Operation(method: "POST", path: pay, status: 503)] = { try engine.pay(someOrder) }
        afterRedisDown[Operation(method: "POST", path: fulfil, status: 503)] = { try engine.fulfil(someOrder) }
        afterRedisDown[Operation(method: "GET", path: "/readyz", status: 503)] = { try engine.get("/readyz") }

        let known = Set(scenarios.keys).union(afterRedisDown.keys)
        for operation in documented.sorted(by: { $0.description < $1.description }) where !known.contains(operation) {
            XCTFail("openapi.yaml documents \(operation) but no scenario produces it")
        }
        for operation in known where !documented.contains(operation) {
            XCTFail("the server answers \(operation) but openapi.yaml does not document it")
        }
        func run(_ table: [Operation: () throws -> HTTPResult]) throws {
            for (operation, scenario) in table.sorted(by: { $0.key.description < $1.key.description }) {
                let result = try scenario()
                XCTAssertEqual(result.status, operation.status, "\(operation): \(result.body)")
                if operation.path == "/readyz" {
                    // A status object, not an error object: {"status":"not_ready","node":…,"workers":[…]}.
                    XCTAssertTrue(result.body.contains(#""status":"\#(operation.status == 200 ? "ready" : "not_ready")""#), result.body)
                } else if operation.status >= 400, let code = result.errorCode {
                    XCTAssertTrue(errorCodes.contains(code), "\(operation): code \(code) is not in openapi.yaml")
                } else if operation.status >= 400 {
                    XCTFail("\(operation): error without an error object: \(result.body)")
                }
                if [429, 503].contains(operation.status) {
                    XCTAssertNotNil(result.headers["retry-after"], "\(operation) lacks Retry-After")
                }
            }
        }
        try run(scenarios)
        try RedisInvariants.check(redis.client(), sale: "oa", limit: 50)
        redis.kill9()
        XCTAssertTrue(waitUntil(timeoutSeconds: 5, pollMillis: 100) { (try? engine.get("/readyz").status) == 503 })
        try run(afterRedisDown)
    }
}
