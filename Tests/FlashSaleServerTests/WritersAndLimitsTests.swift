import Foundation
import Logging
import Testing
@testable import FlashSaleServer
import FlashSaleCore
import FlashSaleHTTP
import FlashSaleRedis
import FlashSaleWorker

@Suite struct JSONBufferTests {
    /// Parses `bytes` with Foundation: the writer's output must be valid JSON.
    func decode(_ bytes: [UInt8]) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])
    }

    @Test func escapesStrings() throws {
        let nasty = "quote\" back\\ nl\n tab\t cr\r nul\u{0} bell\u{7} é 🛒 </script>"
        var json = JSONBuffer()
        json.object { $0.field("v", string: nasty) }
        let object = try #require(try decode(json.bytes) as? [String: Any])
        #expect(object["v"] as? String == nasty)
        #expect(json.text.contains(#"\u0000"#))
        #expect(json.text.contains(#"\u0007"#))
    }

    @Test func writesIntegersAndNesting() throws {
        var json = JSONBuffer()
        json.object { object in
            object.field("min", integer: Int64.min)
            object.field("max", integer: Int64.max)
            object.field("zero", integer: 0)
            object.field("flag", bool: true)
            object.nullField("none")
            object.key("list")
            object.array { array in
                array.integer(1)
                array.object { $0.field("a", string: "b") }
                array.array { _ in }
                array.string("c")
            }
            object.key("empty")
            object.object { _ in }
        }
        #expect(json.text == #"{"min":-9223372036854775808,"max":9223372036854775807,"zero":0,"flag":true,"none":null,"list":[1,{"a":"b"},[],"c"],"empty":{}}"#)
        _ = try decode(json.bytes)
        json.reset()
        json.integer(-42)
        #expect(json.text == "-42")
    }

    @Test func writesEveryAnswerShape() throws {
        var json = JSONBuffer()
        APIError(.soldOut, "sku \"a\" is sold out").write(into: &json)
        #expect(json.text == #"{"error":{"code":"sold_out","message":"sku \"a\" is sold out"}}"#)

        json.reset()
        PurchaseCreatedBody.write(
            orderID: "o-1", sale: "s", sku: "a", qty: 2, amount: 3998, currency: "EUR", expiresAtMillis: 1_000, into: &json)
        #expect(json.text == #"{"order_id":"o-1","status":"reserved","sale":"s","sku":"a","qty":2,"amount":3998,"currency":"EUR","expires_at":"1970-01-01T00:00:01.000Z"}"#)

        json.reset()
        OrderView(orderID: "o-1", sale: "s", sku: "a", qty: 1, user: "u", status: "paid",
                  createdAtMillis: 0, expiresAtMillis: 600_000, closedAtMillis: 5_000).write(into: &json)
        let order = try #require(try decode(json.bytes) as? [String: Any])
        #expect(Set(order.keys) == ["order_id", "sale", "sku", "qty", "amount", "currency", "user", "status", "created_at",
                                    "expires_at", "closed_at"])
        #expect(order["expires_at"] as? String == "1970-01-01T00:10:00.000Z")

        json.reset()
        SaleSnapshot(sale: "s", state: "live", startsAtMillis: 0, endsAtMillis: 1, perUserLimit: 1, reservationTTLSeconds: 600,
                     items: [.init(sku: "a", stock: 5, available: 3)]).write(into: &json)
        #expect(json.text == #"{"sale":"s","state":"live","starts_at":"1970-01-01T00:00:00.000Z","ends_at":"1970-01-01T00:00:00.001Z","per_user_limit":1,"reservation_ttl_s":600,"currency":"XXX","items":[{"sku":"a","stock":5,"available":3}]}"#)

        json.reset()
        SaleSnapshot(sale: "s", state: "live", startsAtMillis: 0, endsAtMillis: 1, perUserLimit: 1, reservationTTLSeconds: 600,
                     items: [.init(sku: "a", stock: 5, available: 3, price: 1999)], currency: "EUR").write(into: &json)
        #expect(json.text.hasSuffix(#""reservation_ttl_s":600,"currency":"EUR","items":[{"sku":"a","stock":5,"available":3,"price":1999}]}"#))
    }

    @Test func saleStateFollowsClockAndStock() {
        #expect(SaleState.at(now: 5, startsAtMillis: 10, endsAtMillis: 20, anyAvailable: true) == .scheduled)
        #expect(SaleState.at(now: 10, startsAtMillis: 10, endsAtMillis: 20, anyAvailable: true) == .live)
        #expect(SaleState.at(now: 15, startsAtMillis: 10, endsAtMillis: 20, anyAvailable: false) == .soldOut)
        #expect(SaleState.at(now: 20, startsAtMillis: 10, endsAtMillis: 20, anyAvailable: true) == .ended)
    }

    @Test func everyErrorCodeHasAStatusOfItsFamily() {
        for code in APIErrorCode.allCases {
            #expect((400...599).contains(code.status.code), "\(code)")
            #expect(APIErrorCode(text: code.text) == code, "codes are unique")
        }
        #expect(APIErrorCode.idempotencyKeyReused.status.code == 422)
        #expect(APIErrorCode.rateLimited.status.code == 429)
        #expect(APIErrorCode.overloaded.status.code == 503)
        #expect(APIErrorCode.saleLive.status.code == 409)
        #expect(APIErrorCode.contentTooLarge.text == "content_too_large")
        #expect(APIErrorCode.headerFieldsTooLarge.text == "header_fields_too_large")
    }

    @Test func everyCoreRefusalHasItsCode() {
        #expect(PurchaseDecision.soldOut.refusal.code == .soldOut)
        #expect(PurchaseDecision.soldOut.refusal.code.status.code == 409)
        #expect(PurchaseDecision.idempotencyKeyReused.refusal.code.status.code == 422)
        #expect(PurchaseDecision.overloaded.refusal.code.status.code == 503)
        #expect(PurchaseDecision.saleNotFound.refusal.code.text == "sale_not_found")
        #expect(PurchaseDecision.invalidQuantity.refusal.code == .badRequest)
    }

    @Test func everyCodeHasAConstantBodyThatIsItsErrorObject() throws {
        let bodies = RefusalBodies()
        for code in APIErrorCode.allCases {
            let body = Data(bodies.body(code))
            let object = try JSONSerialization.jsonObject(with: body) as? [String: [String: String]]
            #expect(object?["error"]?["code"] == code.text)
            #expect(object?["error"]?["message"] == code.meaning.description)
        }
    }
}

@Suite struct TokenBucketTableTests {
    @Test func allowsABurstThenRefillsAtTheRate() {
        let table = TokenBucketTable(policy: RateLimitPolicy(perSecond: 2, burst: 3), capacity: 64)
        for _ in 0..<3 { #expect(table.admit("alice", nowMillis: 1_000) == .allowed) }
        #expect(table.admit("alice", nowMillis: 1_000) == .limited(retryAfterSeconds: 1))
        // Another key has its own bucket.
        #expect(table.admit("bob", nowMillis: 1_000) == .allowed)
        // 2/s: one token after 500 ms, not before.
        #expect(table.admit("alice", nowMillis: 1_499) == .limited(retryAfterSeconds: 1))
        #expect(table.admit("alice", nowMillis: 1_500) == .allowed)
        #expect(table.admit("alice", nowMillis: 1_500) == .limited(retryAfterSeconds: 1))
        // Refill caps at the burst.
        for _ in 0..<3 { #expect(table.admit("alice", nowMillis: 100_000) == .allowed) }
        #expect(table.admit("alice", nowMillis: 100_000) != .allowed)
    }

    @Test func retryAfterCoversSlowRates() {
        let slow = TokenBucketTable(policy: RateLimitPolicy(perSecond: 1, burst: 1), capacity: 8)
        #expect(slow.admit(key: 7, nowMillis: 0) == .allowed)
        #expect(slow.admit(key: 7, nowMillis: 0) == .limited(retryAfterSeconds: 1))
        #expect(slow.admit(key: 7, nowMillis: 999) == .limited(retryAfterSeconds: 1))
        #expect(slow.admit(key: 7, nowMillis: 1_000) == .allowed)
    }

    @Test func offAllowsEverything() {
        let table = TokenBucketTable(policy: .off, capacity: 8)
        for _ in 0..<1_000 { #expect(table.admit(key: 1, nowMillis: 0) == .allowed) }
    }

    @Test func memoryIsBoundedAndEvictionIsLenientOnly() {
        let table = TokenBucketTable(policy: RateLimitPolicy(perSecond: 1, burst: 1), capacity: 64)
        #expect(table.capacity == 64)
        // Exhaust one key, then flood the table with 10,000 others.
        #expect(table.admit("victim", nowMillis: 0) == .allowed)
        #expect(table.admit("victim", nowMillis: 0) != .allowed)
        for index in 0..<10_000 { _ = table.admit("user-\(index)", nowMillis: 1) }
        #expect(table.capacity == 64)
        // The victim was evicted (stalest) and comes back with a fresh bucket, never a smaller one.
        #expect(table.admit("victim", nowMillis: 2) == .allowed)
        // Keys still in the table keep their state: a just-used one is limited.
        #expect(table.admit("user-9999", nowMillis: 2) != .allowed)
    }

    @Test func parsesPolicies() {
        #expect(RateLimitPolicy(parsing: "5/10") == RateLimitPolicy(perSecond: 5, burst: 10))
        #expect(RateLimitPolicy(parsing: "7") == RateLimitPolicy(perSecond: 7, burst: 14))
        #expect(RateLimitPolicy(parsing: "off") == .off)
        #expect(RateLimitPolicy(parsing: "x") == nil)
        #expect(RateLimitPolicy(parsing: "5/0") == nil)
        #expect(RateLimitPolicy(parsing: "-1") == nil)
        #expect(RateLimitPolicy.defaultPerUser.description == "5/10")
    }
}

@Suite struct MetricsTests {
    @Test func mergesWorkersAtScrapeTime() {
        let a = WorkerMetrics(worker: 0)
        let b = WorkerMetrics(worker: 1)
        a.countRequest(.purchase, status: 201)
        b.countRequest(.purchase, status: 201)
        b.countRequest(.purchase, status: 409)
        a.countRequest(.other, status: 418)
        a.countPurchase(.created)
        b.countPurchase(.created)
        b.countPurchase(.soldOut)
        a.observeLatency(.purchase, nanoseconds: 80_000)      // 80 µs  -> le 0.0001
        b.observeLatency(.purchase, nanoseconds: 3_000_000)   // 3 ms   -> le 0.005
        b.observeLatency(.purchase, nanoseconds: 9_000_000_000) // 9 s -> +Inf
        a.setFlushStats([.flushes: 10, .ordersPersisted: 900, .ordersRejected: 3])
        var batches = BucketHistogram(bounds: BucketHistogram.batchOrdersBounds)
        for size: UInt64 in [1, 64, 64, 100, 5000] { batches.record(size) }
        a.setFlushHistogram(.batchOrders, batches)
        var durations = BucketHistogram(bounds: BucketHistogram.flushMicrosBounds)
        for micros: UInt64 in [80, 250, 1_500] { durations.record(micros) }
        a.setFlushHistogram(.durationMicros, durations)
        a.set(.redisUp, 1)
        b.set(.redisUp, 0)
        a.set(.leasedUnits, 120)

        let text = MetricsExposition.render(workers: [a, b], extra: [
            .init(name: "flashsale_sku_pool_units", help: "Pool.", labels: [("sale", "s\"1"), ("sku", "a")], value: 7),
        ])
        let lines = Set(text.split(separator: "\n").map(String.init))
        #expect(lines.contains(#"flashsale_http_requests_total{method="POST",route="/v1/sales/{sale}/purchases",status="201"} 2"#))
        #expect(lines.contains(#"flashsale_http_requests_total{method="POST",route="/v1/sales/{sale}/purchases",status="409"} 1"#))
        #expect(lines.contains(#"flashsale_http_requests_total{method="other",route="other",status="other"} 1"#))
        #expect(lines.contains(#"flashsale_purchases_total{outcome="created"} 2"#))
        #expect(lines.contains(#"flashsale_purchases_total{outcome="sold_out"} 1"#))
        #expect(lines.contains(#"flashsale_purchases_total{outcome="overloaded"} 0"#))
        #expect(lines.contains(#"flashsale_http_request_duration_seconds_bucket{method="POST",route="/v1/sales/{sale}/purchases",le="0.0001"} 1"#))
        #expect(lines.contains(#"flashsale_http_request_duration_seconds_bucket{method="POST",route="/v1/sales/{sale}/purchases",le="0.005"} 2"#))
        #expect(lines.contains(#"flashsale_http_request_duration_seconds_bucket{method="POST",route="/v1/sales/{sale}/purchases",le="2.5"} 2"#))
        #expect(lines.contains(#"flashsale_http_request_duration_seconds_bucket{method="POST",route="/v1/sales/{sale}/purchases",le="+Inf"} 3"#))
        #expect(lines.contains(#"flashsale_http_request_duration_seconds_count{method="POST",route="/v1/sales/{sale}/purchases"} 3"#))
        #expect(lines.contains(#"flashsale_http_request_duration_seconds_sum{method="POST",route="/v1/sales/{sale}/purchases"} 9.00308"#))
        #expect(lines.contains(#"flashsale_flushes_total{worker="0"} 10"#))
        #expect(lines.contains(#"flashsale_flushes_total{worker="1"} 0"#))
        #expect(lines.contains(#"flashsale_flush_batch_orders_bucket{worker="0",le="1"} 1"#))
        #expect(lines.contains(#"flashsale_flush_batch_orders_bucket{worker="0",le="64"} 3"#))
        #expect(lines.contains(#"flashsale_flush_batch_orders_bucket{worker="0",le="128"} 4"#))
        #expect(lines.contains(#"flashsale_flush_batch_orders_bucket{worker="0",le="1024"} 4"#))
        #expect(lines.contains(#"flashsale_flush_batch_orders_bucket{worker="0",le="+Inf"} 5"#))
        #expect(lines.contains(#"flashsale_flush_batch_orders_sum{worker="0"} 5229"#))
        #expect(lines.contains(#"flashsale_flush_batch_orders_count{worker="0"} 5"#))
        #expect(lines.contains(#"flashsale_flush_batch_orders_count{worker="1"} 0"#))
        #expect(lines.contains(#"flashsale_flush_duration_seconds_bucket{worker="0",le="0.0001"} 1"#))
        #expect(lines.contains(#"flashsale_flush_duration_seconds_bucket{worker="0",le="0.00025"} 2"#))
        #expect(lines.contains(#"flashsale_flush_duration_seconds_bucket{worker="0",le="0.0025"} 3"#))
        #expect(lines.contains(#"flashsale_flush_duration_seconds_sum{worker="0"} 0.00183"#))
        #expect(lines.contains("# TYPE flashsale_flush_duration_seconds histogram"))
        #expect(lines.contains(#"flashsale_build_info{version="\#(BuildInfo.version)",swift="\#(BuildInfo.swiftVersion)",component="engine"} 1"#))
        #expect(lines.contains { $0.hasPrefix("process_resident_memory_bytes ") && !$0.hasSuffix(" 0") })
        #expect(lines.contains { $0.hasPrefix("process_open_fds ") })
        #expect(lines.contains { $0.hasPrefix("process_start_time_seconds 1") })
        #expect(lines.contains(#"flashsale_redis_up{worker="0"} 1"#))
        #expect(lines.contains(#"flashsale_redis_up{worker="1"} 0"#))
        #expect(lines.contains(#"flashsale_lease_units{worker="0"} 120"#))
        #expect(lines.contains(#"flashsale_sku_pool_units{sale="s\"1",sku="a"} 7"#))
        #expect(lines.contains("# TYPE flashsale_http_request_duration_seconds histogram"))
        // Every sample line has a name, optional labels and a number.
        for line in lines where !line.hasPrefix("#") {
            #expect(line.split(separator: " ").count >= 2, "\(line)")
        }
    }

    @Test func countersReadFromAnotherThread() async {
        let metrics = WorkerMetrics(worker: 0)
        let writer = Task.detached {
            for _ in 0..<100_000 { metrics.countPurchase(.created) }
        }
        // Concurrent reads see monotonically growing values, never garbage.
        var last: UInt64 = 0
        for _ in 0..<1_000 {
            let now = metrics.purchases(.created)
            #expect(now >= last)
            last = now
        }
        await writer.value
        #expect(metrics.purchases(.created) == 100_000)
    }

    @Test func formatsSeconds() {
        #expect(MetricsExposition.seconds(micros: 0) == "0")
        #expect(MetricsExposition.seconds(micros: 50) == "0.00005")
        #expect(MetricsExposition.seconds(micros: 2_500_000) == "2.5")
        #expect(MetricsExposition.seconds(micros: 1_000_000) == "1")
    }
}

@Suite struct LogfmtTests {
    @Test func writesOneStructuredLine() {
        let event = LogEvent(level: .warning, message: "redis down", metadata: ["node": "h:1", "why": "connection refused"],
                             source: "x", file: "f", function: "g", line: 1)
        let line = LogfmtLogHandler.format(event: event, label: "flashsale", metadata: ["worker": "0"], nowMillis: 0)
        #expect(line == "ts=1970-01-01T00:00:00.000Z level=warning logger=flashsale msg=\"redis down\" node=h:1 why=\"connection refused\" worker=0\n")
    }
}
