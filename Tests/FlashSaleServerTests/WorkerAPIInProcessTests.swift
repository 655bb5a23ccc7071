import FlashSaleHTTP
import FlashSaleWorker
import Foundation
import Testing

/// WorkerAPI in process: routing, refusals and error codes through the real router, API
/// and worker engine, on a store double (the real Redis is in the end-to-end tests).
/// Every error answer must carry its code from the one error table, with that code's
/// status.
@Suite(.serialized) struct WorkerAPIInProcessTests {
    /// Checks an error answer against the table.
    private func expectError(_ answer: InProcessAPI.Answer?, _ code: APIErrorCode, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(answer?.status == code.status.code, "status of \(code.text): \(String(describing: answer))", sourceLocation: sourceLocation)
        #expect(answer?.errorCode == code.text, "code: \(String(describing: answer?.body))", sourceLocation: sourceLocation)
        #expect(answer?.headers["content-type"] == "application/json", sourceLocation: sourceLocation)
    }

    @Test func routingAndServerLevelErrors() {
        let api = InProcessAPI()
        #expect(api.request("GET", "/healthz")?.status == 200)
        expectError(api.request("GET", "/v2/nothing"), .notFound)
        let wrongMethod = api.request("DELETE", "/v1/sales/s1")
        expectError(wrongMethod, .methodNotAllowed)
        #expect(wrongMethod?.headers["allow"]?.contains("PUT") == true)
        expectError(api.request("POST", "/v1/sales/s1/purchases", body: "x=1", headers: ["Content-Type": "text/plain", "X-User-Id": "u"]), .unsupportedMediaType)
        expectError(api.request("GET", "/v1/sales/s1"), .saleNotFound)
        expectError(api.request("GET", "/v1/sales/bad%20id"), .badRequest)
    }

    @Test func adminRouteNeedsTheAdminTokenAndValidatesTheSale() {
        let api = InProcessAPI()
        let body = #"{"starts_at":"2020-01-01T00:00:00Z","ends_at":"2099-01-01T00:00:00Z","per_user_limit":1,"reservation_ttl_s":600,"items":[{"sku":"a","stock":3}]}"#
        expectError(api.request("PUT", "/v1/sales/s1", body: body), .unauthorized)
        expectError(api.request("PUT", "/v1/sales/s1", body: body, headers: ["Authorization": "Bearer wrong"]), .unauthorized)
        let zeroLimit = body.replacingOccurrences(of: #""per_user_limit":1"#, with: #""per_user_limit":0"#)
        expectError(api.request("PUT", "/v1/sales/s1", body: zeroLimit, headers: ["Authorization": "Bearer \(InProcessAPI.adminToken)"]), .badRequest)
        #expect(api.putLiveSale("s1", items: [("a", 3)])?.status == 201)
        #expect(api.putLiveSale("s1", items: [("a", 3)])?.status == 200, "unchanged")
        expectError(api.putLiveSale("s1", items: [("a", 4)]), .saleLive)
        let sale = api.request("GET", "/v1/sales/s1")
        #expect(sale?.status == 200)
        #expect(sale?.json["state"] as? String == "live")
        #expect(api.sync { true })
    }

    @Test func purchasesAnswerFromTheCoreAndTheStore() throws {
        let api = InProcessAPI()
        #expect(api.putLiveSale("s1", items: [("a", 2), ("b", 5)], limit: 1)?.status == 201)
        let first = try #require(api.purchase(sale: "s1", user: "u1", sku: "a", key: "k1"))
        #expect(first.status == 201)
        let orderID = try #require(first.json["order_id"] as? String)
        #expect(first.headers["location"] == "/v1/orders/\(orderID)")
        #expect(api.storedOrders[orderID] != nil, "--ack persisted: the 201 names an order the store has")
        // Same key, same body: the same order again; same key, other body: 422.
        let replay = api.purchase(sale: "s1", user: "u1", sku: "a", key: "k1")
        #expect(replay?.status == 201)
        #expect(replay?.json["order_id"] as? String == orderID)
        expectError(api.purchase(sale: "s1", user: "u1", sku: "b", key: "k1"), .idempotencyKeyReused)
        expectError(api.purchase(sale: "s1", user: "u1", sku: "a"), .limitExceeded)
        #expect(api.purchase(sale: "s1", user: "u2", sku: "a")?.status == 201)
        expectError(api.purchase(sale: "s1", user: "u3", sku: "a"), .soldOut)
        expectError(api.purchase(sale: "s1", user: "u3", sku: "zzz"), .skuNotFound)
        expectError(api.purchase(sale: "nope", user: "u3", sku: "a"), .saleNotFound)
        expectError(api.purchase(sale: "s1", user: "u3", sku: "b", qty: 0), .badRequest)
        expectError(api.request("POST", "/v1/sales/s1/purchases", body: #"{"sku":"b","qty":1}"#), .unauthorized)
    }

    @Test func ordersPayAndCancel() throws {
        let api = InProcessAPI()
        #expect(api.putLiveSale("s1", items: [("a", 5)], limit: 2)?.status == 201)
        let one = try #require(api.purchase(sale: "s1", user: "u1", sku: "a")?.json["order_id"] as? String)
        let two = try #require(api.purchase(sale: "s1", user: "u1", sku: "a")?.json["order_id"] as? String)
        let read = api.request("GET", "/v1/orders/\(one)", headers: ["X-User-Id": "u1"])
        #expect(read?.status == 200)
        #expect(read?.json["status"] as? String == "reserved")
        expectError(api.request("GET", "/v1/orders/\(one)", headers: ["X-User-Id": "someone-else"]), .orderNotFound)
        let pay = ["Authorization": "Bearer payment-token-for-tests-012345"]
        expectError(api.request("POST", "/v1/orders/\(one)/pay"), .unauthorized)
        #expect(api.request("POST", "/v1/orders/\(one)/pay", headers: pay)?.json["status"] as? String == "paid")
        expectError(api.request("POST", "/v1/orders/\(one)/cancel", headers: ["X-User-Id": "u1"]), .notReserved)
        #expect(api.request("POST", "/v1/orders/\(two)/cancel", headers: ["X-User-Id": "u1"])?.json["status"] as? String == "cancelled")
        expectError(api.request("POST", "/v1/orders/\(two)/pay", headers: pay), .notReserved)
        // An id of the right shape that no sale holds.
        let unknown = String(one.dropLast()) + (one.last == "0" ? "1" : "0")
        expectError(api.request("POST", "/v1/orders/\(unknown)/pay", headers: pay), .orderNotFound)
    }

    @Test func fulfilMovesAPaidOrderAndShowsTheShipment() throws {
        let api = InProcessAPI()
        #expect(api.putLiveSale("s1", items: [("a", 5)], limit: 3)?.status == 201)
        let paid = try #require(api.purchase(sale: "s1", user: "u1", sku: "a")?.json["order_id"] as? String)
        let unpaid = try #require(api.purchase(sale: "s1", user: "u1", sku: "a")?.json["order_id"] as? String)
        let pay = ["Authorization": "Bearer payment-token-for-tests-012345"]
        let fulfilment = ["Authorization": "Bearer fulfilment-token-for-tests-0123"]
        #expect(api.request("POST", "/v1/orders/\(paid)/pay", headers: pay)?.status == 200)
        let shipment = #"{"carrier":"DHL","tracking":"JD0146-00/7"}"#
        // Wrong or missing token: the payment token does not fulfil.
        expectError(api.request("POST", "/v1/orders/\(paid)/fulfil", body: shipment), .unauthorized)
        expectError(api.request("POST", "/v1/orders/\(paid)/fulfil", body: shipment, headers: pay), .unauthorized)
        // Bad bodies name the field.
        let badCarrier = api.request("POST", "/v1/orders/\(paid)/fulfil", body: #"{"carrier":"D H L","tracking":"1"}"#, headers: fulfilment)
        expectError(badCarrier, .badRequest)
        #expect(badCarrier?.body.contains("carrier") == true)
        let noTracking = api.request("POST", "/v1/orders/\(paid)/fulfil", body: #"{"carrier":"DHL"}"#, headers: fulfilment)
        expectError(noTracking, .badRequest)
        #expect(noTracking?.body.contains("tracking") == true)
        // Unpaid: 409 not_paid; unknown: 404.
        expectError(api.request("POST", "/v1/orders/\(unpaid)/fulfil", body: shipment, headers: fulfilment), .notPaid)
        let unknown = String(paid.dropLast()) + (paid.last == "0" ? "1" : "0")
        expectError(api.request("POST", "/v1/orders/\(unknown)/fulfil", body: shipment, headers: fulfilment), .orderNotFound)
        // Paid: 200 fulfilled with the shipment; the identical replay also 200; another shipment 409.
        let done = try #require(api.request("POST", "/v1/orders/\(paid)/fulfil", body: shipment, headers: fulfilment))
        #expect(done.status == 200)
        #expect(done.json["status"] as? String == "fulfilled")
        #expect(done.json["carrier"] as? String == "DHL")
        #expect(done.json["tracking"] as? String == "JD0146-00/7")
        #expect(done.json["fulfilled_at"] is String)
        #expect(done.json["closed_at"] is String, "closed_at stays the payment time")
        #expect(api.request("POST", "/v1/orders/\(paid)/fulfil", body: shipment, headers: fulfilment)?.status == 200)
        expectError(api.request("POST", "/v1/orders/\(paid)/fulfil", body: #"{"carrier":"UPS","tracking":"1Z"}"#, headers: fulfilment), .notPaid)
        let read = api.request("GET", "/v1/orders/\(paid)", headers: ["X-User-Id": "u1"])
        #expect(read?.json["status"] as? String == "fulfilled")
        #expect(read?.json["tracking"] as? String == "JD0146-00/7")
        #expect(api.request("GET", "/v1/orders/\(unpaid)", headers: ["X-User-Id": "u1"])?.json["carrier"] == nil)
        // A fulfilled order is paid for the payment service (a retried callback).
        #expect(api.request("POST", "/v1/orders/\(paid)/pay", headers: pay)?.status == 200)
    }

    @Test func pricedSaleAnswersAmountAndCurrency() throws {
        let api = InProcessAPI()
        let body = #"{"starts_at":"2020-01-01T00:00:00Z","ends_at":"2099-01-01T00:00:00Z","per_user_limit":5,"reservation_ttl_s":600,"currency":"EUR","items":[{"sku":"tee","stock":10,"price":1999}]}"#
        let admin = ["Authorization": "Bearer \(InProcessAPI.adminToken)"]
        let created = try #require(api.request("PUT", "/v1/sales/m", body: body, headers: admin))
        #expect(created.status == 201, "\(created.body)")
        #expect(created.json["currency"] as? String == "EUR")
        #expect((created.json["items"] as? [[String: Any]])?.first?["price"] as? Int == 1999)
        // Price and currency are frozen once live, like stock.
        expectError(api.request("PUT", "/v1/sales/m", body: body.replacingOccurrences(of: "1999", with: "2999"), headers: admin), .saleLive)
        expectError(api.request("PUT", "/v1/sales/m", body: body.replacingOccurrences(of: "EUR", with: "USD"), headers: admin), .saleLive)
        let bad = api.request("PUT", "/v1/sales/m2", body: body.replacingOccurrences(of: "EUR", with: "ABC"), headers: admin)
        expectError(bad, .badRequest)
        #expect(bad?.body.contains("currency") == true)
        let bought = try #require(api.purchase(sale: "m", user: "u1", sku: "tee", qty: 3))
        #expect(bought.status == 201)
        #expect(bought.json["amount"] as? Int == 5997)
        #expect(bought.json["currency"] as? String == "EUR")
        let id = try #require(bought.json["order_id"] as? String)
        #expect(api.storedOrders[id]?.fields["amount"] == "5997", "the flushed order carries the amount")
        let read = api.request("GET", "/v1/orders/\(id)", headers: ["X-User-Id": "u1"])
        #expect(read?.json["amount"] as? Int == 5997)
        #expect(read?.json["currency"] as? String == "EUR")
        // A sale without prices: amount 0, currency XXX.
        #expect(api.putLiveSale("plain", items: [("a", 5)])?.status == 201)
        let plain = try #require(api.purchase(sale: "plain", user: "u1", sku: "a"))
        #expect(plain.json["amount"] as? Int == 0)
        #expect(plain.json["currency"] as? String == "XXX")
    }

    @Test func stockChangesWhileLiveAreAnsweredAndAudited() throws {
        let api = InProcessAPI()
        #expect(api.putLiveSale("s1", items: [("a", 10)])?.status == 201)
        let admin = ["Authorization": "Bearer \(InProcessAPI.adminToken)"]
        func change(_ path: String, _ body: String, _ headers: [String: String] = admin) -> InProcessAPI.Answer? {
            api.request("POST", path, body: body, headers: headers)
        }
        let added = try #require(change("/v1/sales/s1/items/a/stock", #"{"add":5}"#))
        #expect(added.status == 200)
        #expect(added.body == #"{"sku":"a","total":15,"pool":15}"#)
        let sale = api.request("GET", "/v1/sales/s1")
        #expect((sale?.json["items"] as? [[String: Any]])?.first?["stock"] as? Int == 15)
        expectError(change("/v1/sales/s1/items/a/stock", #"{"remove":16}"#), .insufficientPool)
        #expect(change("/v1/sales/s1/items/a/stock", #"{"remove":15}"#)?.body == #"{"sku":"a","total":0,"pool":0}"#)
        expectError(change("/v1/sales/s1/items/zz/stock", #"{"add":1}"#), .skuNotFound)
        expectError(change("/v1/sales/none/items/a/stock", #"{"add":1}"#), .saleNotFound)
        expectError(change("/v1/sales/s1/items/a/stock", #"{"add":1}"#, [:]), .unauthorized)
        expectError(change("/v1/sales/s1/items/a/stock", #"{"add":0}"#), .badRequest)
        expectError(change("/v1/sales/s1/items/a%20b/stock", #"{"add":1}"#), .badRequest)
        let audit = api.withStore { $0.audit }.map { Dictionary($0, uniquingKeysWith: { first, _ in first }) }
        let stock = audit.filter { ($0["action"] ?? "").hasPrefix("stock_") }
        #expect(stock.map { $0["action"] ?? "" } == ["stock_add", "stock_remove", "stock_remove", "stock_add", "stock_add"])
        #expect(stock.map { $0["result"] ?? "" } == ["changed", "insufficient_pool", "changed", "sku_not_found", "sale_not_found"])
        #expect(stock.first?["body"] == #"{"add":5}"#)
        #expect(stock.first?["actor"] == "admin")
    }

    @Test func storeDownShedsWithRetryAfterAndRecovers() {
        let api = InProcessAPI()
        #expect(api.putLiveSale("s1", items: [("a", 5)])?.status == 201)
        api.setStoreUp(false)
        let shed = api.purchase(sale: "s1", user: "u1", sku: "a")
        expectError(shed, .overloaded)
        #expect(shed?.headers["retry-after"] != nil)
        expectError(api.request("GET", "/v1/sales/s1"), .redisUnavailable)
        api.setStoreUp(true)
        #expect(waitUntil { api.purchase(sale: "s1", user: "u2", sku: "a")?.status == 201 })
    }

    @Test func readinessFollowsTheStoreAndLivenessDoesNot() {
        let api = InProcessAPI()
        #expect(waitUntil { api.request("GET", "/readyz")?.status == 200 })
        #expect(api.request("GET", "/readyz")?.body == #"{"status":"ready","node":"test-node","workers":[{"worker":0,"state":"ready"}]}"#)
        api.setStoreUp(false)
        let down = api.request("GET", "/readyz")
        #expect(down?.status == 503)
        #expect(down?.headers["retry-after"] != nil)
        #expect(down?.body.contains(#""status":"not_ready""#) == true)
        #expect(down?.body.contains(#"{"worker":0,"state":"redis_unreachable"}"#) == true, "\(down?.body ?? "")")
        #expect(api.request("GET", "/healthz")?.status == 200, "liveness does not depend on Redis")
        api.setStoreUp(true)
        #expect(waitUntil { api.request("GET", "/readyz")?.status == 200 })
    }

    /// The value of `flashsale_http_requests_total{method,route,status}` in a scrape (0 when absent).
    private func requests(_ scrape: String, method: String, route: String, status: Int) -> Int {
        let prefix = #"flashsale_http_requests_total{method="\#(method)",route="\#(route)",status="\#(status)"} "#
        for line in scrape.split(separator: "\n") where line.hasPrefix(prefix) {
            return Int(line.dropFirst(prefix.count)) ?? -1
        }
        return 0
    }

    @Test func everyAnswerIsCountedByTheRouteTheRouterMatched() throws {
        let api = InProcessAPI()
        #expect(api.putLiveSale("s1", items: [("a", 1)])?.status == 201)
        #expect(api.purchase(sale: "s1", user: "u1", sku: "a")?.status == 201)
        #expect(api.purchase(sale: "s1", user: "u2", sku: "a")?.status == 409)
        // Answers the HTTP layer gives itself: unknown path, wrong method, wrong media type.
        #expect(api.request("GET", "/nothing")?.status == 404)
        #expect(api.request("DELETE", "/healthz")?.status == 405)
        #expect(api.request("POST", "/v1/sales/s1/purchases", body: "x", headers: ["Content-Type": "text/plain"])?.status == 415)
        _ = api.request("GET", "/metrics")
        let scrape = try #require(api.request("GET", "/metrics")?.body)
        #expect(requests(scrape, method: "PUT", route: "/v1/sales/{sale}", status: 201) == 1)
        #expect(requests(scrape, method: "POST", route: "/v1/sales/{sale}/purchases", status: 201) == 1)
        #expect(requests(scrape, method: "POST", route: "/v1/sales/{sale}/purchases", status: 409) == 1)
        #expect(requests(scrape, method: "POST", route: "/v1/sales/{sale}/purchases", status: 415) == 1, "415 is the matched route's")
        #expect(requests(scrape, method: "other", route: "other", status: 404) == 1)
        #expect(requests(scrape, method: "other", route: "other", status: 405) == 1)
        #expect(requests(scrape, method: "GET", route: "/metrics", status: 200) == 1, "the previous scrape")
    }
}
