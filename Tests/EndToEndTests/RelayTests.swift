import Foundation
import TestSupport
import XCTest

/// `flashsale relay` end to end: the built binary, a real redis-server, real receivers
/// (the example receiver itself, and a faulty variant of it).
final class RelayTests: XCTestCase {
    private let fast: [String: Any] = ["retry_schedule_ms": [100, 200, 400, 800, 1000, 1000, 1000, 1000, 1000, 1000],
                                       "poll_ms": 20, "discover_ms": 200, "claim_idle_ms": 1000, "breaker_failures": 1000]

    private func config(_ endpoints: [[String: Any]], _ extra: [String: Any] = [:]) -> [String: Any] {
        var config = fast
        config["endpoints"] = endpoints
        for (key, value) in extra { config[key] = value }
        return config
    }

    private func orderOf(_ record: [String: Any]) -> String? {
        ((record["event"] as? [String: Any])?["data"] as? [String: Any])?["order"] as? String
    }

    private func typeOf(_ record: [String: Any]) -> String? { (record["event"] as? [String: Any])?["type"] as? String }

    /// Asserts that for every order the receiver saw `reserved` before `paid`.
    private func assertOrdered(_ records: [[String: Any]], file: StaticString = #filePath, line: UInt = #line) {
        var firstPaid: [String: Int] = [:]
        var firstReserved: [String: Int] = [:]
        for (index, record) in records.enumerated() {
            guard let order = orderOf(record), let type = typeOf(record) else { continue }
            if type == "reserved", firstReserved[order] == nil { firstReserved[order] = index }
            if type == "paid", firstPaid[order] == nil { firstPaid[order] = index }
        }
        for (order, paid) in firstPaid {
            guard let reserved = firstReserved[order] else {
                XCTFail("\(order): paid arrived, reserved never did", file: file, line: line)
                continue
            }
            XCTAssertLessThan(reserved, paid, "\(order): paid before reserved", file: file, line: line)
        }
    }

    func testEverySubscribedEventArrivesSignedAndInOrderPerOrder() throws {
        let redis = try RedisServerProcess()
        let client = try redis.client()
        let (old, new) = (EventWriter.secret(1), EventWriter.secret(2))
        // The receiver knows only the new secret; the relay signs with both while rotating.
        let everything = try ReceiverProcess(secrets: [new])
        let payments = try ReceiverProcess(secrets: [old])
        try EventWriter.addSale(client, "launch")
        let first = try EventWriter.write(client, sale: "launch", orders: 0..<60)
        let relay = try RelayProcess(redisURL: redis.url, consumer: "r1", config: config([
            endpointConfig("everything", port: everything.port, secrets: [new, old]),
            endpointConfig("payments", port: payments.port, secrets: [old], events: ["paid"]),
        ]))
        // A sale created while the relay runs is found without a restart.
        try EventWriter.addSale(client, "spring.drop")
        let second = try EventWriter.write(client, sale: "spring.drop", orders: 100..<130)
        XCTAssertTrue(waitUntil(timeoutSeconds: 30, pollMillis: 100) {
            everything.uniqueIDs().count == 180 && payments.uniqueIDs().count == 90
        }, "everything \(everything.uniqueIDs().count)/180, payments \(payments.uniqueIDs().count)/90\n\(relay.process.output())")
        XCTAssertTrue(everything.rejected().isEmpty, "\(everything.rejected())")
        XCTAssertTrue(payments.rejected().isEmpty, "\(payments.rejected())")
        let expectedIDs = Set(first + second)
        XCTAssertEqual(everything.uniqueIDs(), expectedIDs)
        XCTAssertTrue(payments.accepted().allSatisfy { typeOf($0) == "paid" })
        XCTAssertTrue(everything.accepted().allSatisfy { ($0["signatures"] as? Int) == 2 })
        assertOrdered(everything.accepted())
        assertOrdered(everything.accepted().filter { orderOf($0)?.hasPrefix("O1") ?? false })
        // The body: type, timestamp, data with the sale, the order and the fields.
        let paid = try XCTUnwrap(everything.accepted().first { typeOf($0) == "paid" && orderOf($0) == "O7" }?["event"] as? [String: Any])
        XCTAssertNotNil(paid["timestamp"] as? String)
        let data = try XCTUnwrap(paid["data"] as? [String: Any])
        XCTAssertEqual(data["sale"] as? String, "launch")
        XCTAssertEqual(data["sku"] as? String, "tee")
        XCTAssertEqual(data["user"] as? String, "u7")
        XCTAssertEqual(data["qty"] as? Int, 1)
        // Everything acknowledged; nothing dead.
        XCTAssertTrue(waitUntil(timeoutSeconds: 10) {
            (try? EventWriter.pending(client, sale: "launch")) == 0 && (try? EventWriter.pending(client, sale: "spring.drop")) == 0
        })
        XCTAssertEqual(try client.command("XLEN", "fs:{launch}:dead").int, 0)
        XCTAssertEqual(try relay.sample(#"flashsale_relay_deliveries_total{endpoint="payments",outcome="skipped"}"#), 90)
        XCTAssertEqual(try relay.sample(#"flashsale_relay_deliveries_total{endpoint="everything",outcome="delivered"}"#), 180)

        // /metrics passes promtool without a warning.
        if let (status, output) = try? PrometheusTools.checkMetrics(try relay.metrics()) {
            XCTAssertEqual(status, 0, output)
            XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines), "", output)
        }
    }

    func testSchemaV2EntriesAreDeliveredOneEventPerOrder() throws {
        let redis = try RedisServerProcess()
        let client = try redis.client()
        let secret = EventWriter.secret(10)
        let all = try ReceiverProcess(secrets: [secret])
        let payments = try ReceiverProcess(secrets: [secret])
        try EventWriter.addSale(client, "v2")
        let (a, b, c) = ("01JDZ8K3Q4M5N6P7R8S9T0V1W2", "01JDZ8K3Q4M5N6P7R8S9T0V1W3", "01JDZ8K3Q4M5N6P7R8S9T0V1W4")
        let key = "fs:{v2}:events"
        let reserved = try client.command("XADD", key, "*", "type", "reserved", "at", "1", "currency", "EUR",
                                          a, "tee alice 1 1999", b, "tee bob 2 3998", c, "cap carol 1 500").string ?? ""
        try client.command("XADD", key, "*", "type", "paid", "at", "2", "currency", "EUR", b, "tee bob 2 3998")
        try client.command("XADD", key, "*", "type", "paid", "at", "3", "currency", "EUR", a, "tee alice 1 1999")
        try client.command("XADD", key, "*", "type", "fulfilled", "at", "4", "currency", "EUR", a, "tee alice 1 1999 dhl 123")
        try client.command("XADD", key, "*", "type", "lease_reaped", "at", "5", "worker", "n1/0", "sku", "tee", "units", "3")
        let relay = try RelayProcess(redisURL: redis.url, consumer: "r1", config: config([
            endpointConfig("all", port: all.port, secrets: [secret]),
            endpointConfig("payments", port: payments.port, secrets: [secret], events: ["paid", "payment_unmatched"]),
        ]))
        XCTAssertTrue(waitUntil(timeoutSeconds: 20) { all.uniqueIDs().count == 7 && payments.uniqueIDs().count == 2 },
                      "all \(all.uniqueIDs().count)/7, payments \(payments.uniqueIDs().count)/2\n\(relay.process.output())")
        XCTAssertTrue(all.uniqueIDs().isSuperset(of: ["v2:\(reserved):\(a)", "v2:\(reserved):\(b)", "v2:\(reserved):\(c)"]))
        let events = all.accepted().compactMap { $0["event"] as? [String: Any] }
        let ofA = events.filter { (($0["data"] as? [String: Any])?["order"] as? String) == a }.compactMap { $0["type"] as? String }
        XCTAssertEqual(ofA, ["reserved", "paid", "fulfilled"], "order a's events out of order")
        let shipped = try XCTUnwrap(events.first { ($0["type"] as? String) == "fulfilled" }?["data"] as? [String: Any])
        XCTAssertEqual(shipped["carrier"] as? String, "dhl")
        XCTAssertEqual(shipped["amount"] as? Int, 1999)
        XCTAssertEqual(shipped["currency"] as? String, "EUR")
        XCTAssertTrue(events.contains { ($0["type"] as? String) == "lease_reaped" })
        XCTAssertTrue(waitUntil(timeoutSeconds: 10) { (try? EventWriter.pending(client, sale: "v2")) == 0 })
    }

    func testEventsOfTheRealEngineReachTheReceiver() throws {
        let redis = try RedisServerProcess()
        let engine = try EngineProcess(redis: redis)
        let secret = EventWriter.secret(11)
        let receiver = try ReceiverProcess(secrets: [secret])
        let relay = try RelayProcess(redisURL: redis.url, consumer: "r1",
                                     config: config([endpointConfig("payments", port: receiver.port, secrets: [secret])]))
        XCTAssertEqual(try engine.putSale("live", Sales.body(stock: ["tv": 5], limit: 2)).status, 201)
        let alice = try Tokens.buyer("alice")
        let first = try XCTUnwrap(try engine.buy("live", sku: "tv", token: alice).json["order_id"] as? String)
        let second = try XCTUnwrap(try engine.buy("live", sku: "tv", token: alice).json["order_id"] as? String)
        XCTAssertEqual(try engine.pay(first).status, 200)
        XCTAssertEqual(try engine.cancel(second, token: alice).status, 200)
        XCTAssertTrue(waitUntil(timeoutSeconds: 20, pollMillis: 100) { receiver.uniqueIDs().count == 4 },
                      "\(receiver.uniqueIDs().count)/4\n\(relay.process.output())")
        let events = receiver.accepted().compactMap { $0["event"] as? [String: Any] }
        func types(_ order: String) -> [String] {
            events.filter { (($0["data"] as? [String: Any])?["order"] as? String) == order }.compactMap { $0["type"] as? String }
        }
        XCTAssertEqual(types(first), ["reserved", "paid"])
        XCTAssertEqual(types(second), ["reserved", "cancelled"])
        let data = try XCTUnwrap(events.first?["data"] as? [String: Any])
        XCTAssertEqual(data["sale"] as? String, "live")
        XCTAssertEqual(data["user"] as? String, "alice")
        XCTAssertEqual(data["sku"] as? String, "tv")
        withExtendedLifetime(engine) {}
    }

    func testReceiverAnswering500ForFiveSecondsLosesNothingAndKeepsTheWebhookID() throws {
        let redis = try RedisServerProcess()
        let client = try redis.client()
        let secret = EventWriter.secret(3)
        let receiver = try ReceiverProcess(secrets: [secret], fault: "500", faultSeconds: 5)
        try EventWriter.addSale(client, "s")
        let ids = try EventWriter.write(client, sale: "s", orders: 0..<20)
        let relay = try RelayProcess(redisURL: redis.url, consumer: "r1",
                                     config: config([endpointConfig("flaky", port: receiver.port, secrets: [secret])]))
        XCTAssertTrue(waitUntil(timeoutSeconds: 40, pollMillis: 100) { receiver.uniqueIDs().count == 40 },
                      "\(receiver.uniqueIDs().count)/40\n\(relay.process.output())")
        XCTAssertEqual(receiver.uniqueIDs(), Set(ids))
        let failedIDs = Set(receiver.records().filter { $0["fault"] != nil }.compactMap { $0["id"] as? String })
        XCTAssertFalse(failedIDs.isEmpty, "the receiver never failed")
        XCTAssertTrue(failedIDs.isSubset(of: receiver.uniqueIDs()), "a redelivery changed its webhook-id")
        assertOrdered(receiver.accepted())
        XCTAssertTrue(waitUntil(timeoutSeconds: 10) { (try? EventWriter.pending(client, sale: "s")) == 0 })
        XCTAssertEqual(try client.command("XLEN", "fs:{s}:dead").int, 0)
        XCTAssertGreaterThan(try relay.sample(#"flashsale_relay_attempts_total{endpoint="flaky",result="http_error"}"#) ?? 0, 0)
    }

    func testAReceiverClosingKeepAliveConnectionsCostsNoAttempt() throws {
        let redis = try RedisServerProcess()
        let client = try redis.client()
        let secret = EventWriter.secret(12)
        let receiver = try ReceiverProcess(secrets: [secret], fault: "closeafter")
        try EventWriter.addSale(client, "s")
        let ids = try EventWriter.write(client, sale: "s", orders: 0..<100)
        let relay = try RelayProcess(redisURL: redis.url, consumer: "r1", config: config([
            endpointConfig("closer", port: receiver.port, secrets: [secret], concurrency: 2),
        ], ["retry_schedule_ms": [60_000]]))
        XCTAssertTrue(waitUntil(timeoutSeconds: 30, pollMillis: 100) { receiver.uniqueIDs().count == 200 },
                      "\(receiver.uniqueIDs().count)/200\n\(relay.process.output())")
        XCTAssertEqual(receiver.uniqueIDs(), Set(ids))
        // A connection the peer closed while idle is replaced, never counted as a failed attempt.
        XCTAssertEqual(try relay.sample(#"flashsale_relay_attempts_total{endpoint="closer",result="connection_error"}"#), 0)
        XCTAssertEqual(try relay.sample(#"flashsale_relay_attempts_total{endpoint="closer",result="success"}"#), 200)
        print("stale keep-alive resends:", try relay.sample(#"flashsale_relay_stale_connection_resends_total{endpoint="closer"}"#) ?? -1)
    }

    func testReceiverHangingPastTheTimeoutLosesNothing() throws {
        let redis = try RedisServerProcess()
        let client = try redis.client()
        let secret = EventWriter.secret(4)
        let receiver = try ReceiverProcess(secrets: [secret], fault: "hang", faultSeconds: 3)
        try EventWriter.addSale(client, "s")
        try EventWriter.write(client, sale: "s", orders: 0..<10)
        let relay = try RelayProcess(redisURL: redis.url, consumer: "r1", config: config([
            endpointConfig("slow", port: receiver.port, secrets: [secret], timeoutMillis: 300),
        ]))
        XCTAssertTrue(waitUntil(timeoutSeconds: 40, pollMillis: 100) { receiver.uniqueIDs().count == 20 },
                      "\(receiver.uniqueIDs().count)/20\n\(relay.process.output())")
        XCTAssertGreaterThan(try relay.sample(#"flashsale_relay_attempts_total{endpoint="slow",result="timeout"}"#) ?? 0, 0)
        assertOrdered(receiver.accepted())
        XCTAssertTrue(waitUntil(timeoutSeconds: 10) { (try? EventWriter.pending(client, sale: "s")) == 0 })
        XCTAssertEqual(try client.command("XLEN", "fs:{s}:dead").int, 0)
    }

    func testKill9MidStreamLosesNothingOnRestartOrTakeover() throws {
        let redis = try RedisServerProcess()
        let client = try redis.client()
        let secret = EventWriter.secret(5)
        let receiver = try ReceiverProcess(secrets: [secret])
        try EventWriter.addSale(client, "s")
        let ids = try EventWriter.write(client, sale: "s", orders: 0..<1500)
        let endpoints = [endpointConfig("sink", port: receiver.port, secrets: [secret], concurrency: 4)]
        let first = try RelayProcess(redisURL: redis.url, consumer: "a", config: config(endpoints, ["read_count": 200]))
        XCTAssertTrue(waitUntil(timeoutSeconds: 30, pollMillis: 10) { receiver.uniqueIDs().count >= 300 })
        first.kill9()
        let pendingAtKill = try EventWriter.pending(client, sale: "s")
        XCTAssertGreaterThan(pendingAtKill, 0, "nothing was in flight at the kill")
        XCTAssertLessThan(receiver.uniqueIDs().count, 3000)

        // Restarted under its own name, it reads its own pending entries first.
        try first.restart()
        XCTAssertTrue(waitUntil(timeoutSeconds: 30, pollMillis: 100) { receiver.uniqueIDs().count >= 2000 })
        first.kill9()
        let pendingAtSecondKill = try EventWriter.pending(client, sale: "s")

        // Another relay (another name) takes the dead one's pending entries over after the idle time.
        let second = try RelayProcess(redisURL: redis.url, consumer: "b", config: config(endpoints))
        XCTAssertTrue(waitUntil(timeoutSeconds: 60, pollMillis: 100) { receiver.uniqueIDs().count == 3000 },
                      "\(receiver.uniqueIDs().count)/3000\n\(second.process.output())")
        XCTAssertEqual(receiver.uniqueIDs(), Set(ids))
        XCTAssertTrue(waitUntil(timeoutSeconds: 10) { (try? EventWriter.pending(client, sale: "s")) == 0 })
        if pendingAtSecondKill > 0 {
            XCTAssertGreaterThan(try second.sample("flashsale_relay_entries_taken_over_total") ?? 0, 0)
        }
        assertOrdered(receiver.accepted())
    }

    func testAlwaysFailingEndpointEndsInDeadLettersAndRedeliverBringsThemBack() throws {
        let redis = try RedisServerProcess()
        let client = try redis.client()
        let secret = EventWriter.secret(6)
        let brokenPort = freeLoopbackPort()
        var broken: ReceiverProcess? = try ReceiverProcess(secrets: [secret], port: brokenPort, fault: "always500")
        let good = try ReceiverProcess(secrets: [secret])
        try EventWriter.addSale(client, "s")
        try EventWriter.write(client, sale: "s", orders: 0..<3)
        let relay = try RelayProcess(redisURL: redis.url, consumer: "r1", config: config([
            endpointConfig("broken", port: brokenPort, secrets: [secret]),
            endpointConfig("good", port: good.port, secrets: [secret]),
        ], ["retry_schedule_ms": [50, 50]]))
        XCTAssertTrue(waitUntil(timeoutSeconds: 20) { (try? client.command("XLEN", "fs:{s}:dead").int) == 6 },
                      relay.process.output())
        XCTAssertTrue(waitUntil(timeoutSeconds: 10) { (try? EventWriter.pending(client, sale: "s")) == 0 })
        let dead = try EventWriter.deadLetters(client, sale: "s")
        for letter in dead {
            XCTAssertEqual(letter.fields["endpoint"], "broken")
            XCTAssertEqual(letter.fields["attempts"], "3")
            XCTAssertEqual(letter.fields["status"], "500")
            XCTAssertEqual(letter.fields["error"], "HTTP 500")
            XCTAssertNotNil(letter.fields["event.type"])
            XCTAssertNotNil(letter.fields["event.order"])
        }
        XCTAssertEqual(good.uniqueIDs().count, 6)
        XCTAssertEqual(try relay.sample(#"flashsale_relay_deliveries_total{endpoint="broken",outcome="dead"}"#), 6)
        let deadIDs = Set(dead.compactMap { $0.fields["webhook_id"] })
        XCTAssertEqual(deadIDs, good.uniqueIDs())

        // The endpoint is mended; redeliver one by id, then the rest.
        broken?.stop()
        broken = nil
        let mended = try ReceiverProcess(secrets: [secret], port: brokenPort)
        let one = try ChildProcess(executable: builtBinary("flashsale"),
                                   arguments: ["relay", "redeliver", "--redis", redis.url, "--sale", "s", "--id", dead[0].id])
        XCTAssertEqual(one.waitForExit(timeoutSeconds: 20), 0, one.output())
        XCTAssertTrue(one.output().contains("redelivered 1 dead letter"), one.output())
        XCTAssertTrue(waitUntil(timeoutSeconds: 20) { mended.uniqueIDs().count == 1 })
        let rest = try ChildProcess(executable: builtBinary("flashsale"), arguments: ["relay", "redeliver", "--redis", redis.url, "--all"])
        XCTAssertEqual(rest.waitForExit(timeoutSeconds: 20), 0, rest.output())
        XCTAssertTrue(rest.output().contains("redelivered 5 dead letter"), rest.output())
        XCTAssertTrue(waitUntil(timeoutSeconds: 20) { mended.uniqueIDs().count == 6 }, "\(mended.uniqueIDs().count)/6")
        XCTAssertEqual(mended.uniqueIDs(), deadIDs, "redeliveries keep their webhook-id")
        XCTAssertEqual(try client.command("XLEN", "fs:{s}:dead").int, 0)
        // The endpoint that had them already does not get them again.
        XCTAssertEqual(good.accepted().count, 6)
        XCTAssertTrue(waitUntil(timeoutSeconds: 10) { (try? EventWriter.pending(client, sale: "s")) == 0 })

        let bad = try ChildProcess(executable: builtBinary("flashsale"), arguments: ["relay", "redeliver", "--redis", redis.url, "--id", "1-0"])
        XCTAssertEqual(bad.waitForExit(timeoutSeconds: 20), 64, bad.output())
        XCTAssertTrue(bad.output().contains("--id needs --sale"), bad.output())
    }

    func testTwoRelaysShareTheWorkWithoutDuplicates() throws {
        let redis = try RedisServerProcess()
        let client = try redis.client()
        let secret = EventWriter.secret(7)
        let receiver = try ReceiverProcess(secrets: [secret])
        try EventWriter.addSale(client, "s")
        let endpoints = [endpointConfig("sink", port: receiver.port, secrets: [secret])]
        let one = try RelayProcess(redisURL: redis.url, consumer: "one", config: config(endpoints, ["read_count": 50, "claim_idle_ms": 5000]))
        let two = try RelayProcess(redisURL: redis.url, consumer: "two", config: config(endpoints, ["read_count": 50, "claim_idle_ms": 5000]))
        var ids: [String] = []
        for batch in 0..<20 {
            ids += try EventWriter.write(client, sale: "s", orders: (batch * 50)..<(batch * 50 + 50))
            usleep(20_000)
        }
        XCTAssertTrue(waitUntil(timeoutSeconds: 60, pollMillis: 100) { receiver.uniqueIDs().count == 2000 },
                      "\(receiver.uniqueIDs().count)/2000")
        XCTAssertTrue(waitUntil(timeoutSeconds: 10) { (try? EventWriter.pending(client, sale: "s")) == 0 })
        let records = receiver.accepted()
        XCTAssertEqual(records.count, 2000, "duplicates: \(records.count - 2000)")
        XCTAssertTrue(records.allSatisfy { ($0["duplicate"] as? Bool) == false })
        let byOne = try one.sample(#"flashsale_relay_deliveries_total{endpoint="sink",outcome="delivered"}"#) ?? 0
        let byTwo = try two.sample(#"flashsale_relay_deliveries_total{endpoint="sink",outcome="delivered"}"#) ?? 0
        XCTAssertEqual(byOne + byTwo, 2000)
        XCTAssertGreaterThan(byOne, 0)
        XCTAssertGreaterThan(byTwo, 0)
    }

    func testSigtermLetsInFlightDeliveriesFinishAndLeavesTheRestPending() throws {
        let redis = try RedisServerProcess()
        let client = try redis.client()
        let secret = EventWriter.secret(8)
        let receiver = try ReceiverProcess(secrets: [secret], fault: "hang", faultSeconds: 1.5)
        try EventWriter.addSale(client, "s")
        try EventWriter.write(client, sale: "s", orders: 0..<200)
        let relay = try RelayProcess(redisURL: redis.url, consumer: "r1", config: config([
            endpointConfig("slow", port: receiver.port, secrets: [secret], timeoutMillis: 10_000, concurrency: 2),
        ]))
        XCTAssertTrue(waitUntil(timeoutSeconds: 10) { receiver.records().count >= 2 })  // two attempts hang now
        relay.process.terminate()
        XCTAssertEqual(relay.process.waitForExit(timeoutSeconds: 15), 0, relay.process.output())
        // Everything not delivered is still pending: nothing acknowledged undelivered, nothing lost.
        let delivered = receiver.uniqueIDs().count
        XCTAssertEqual(try EventWriter.pending(client, sale: "s") + delivered, 400, "delivered \(delivered)")
        XCTAssertTrue(relay.process.output().contains("stopped"), relay.process.output())
    }

    func testBadConfigurationsAreRefusedWithTheFieldNamed() throws {
        let good = EventWriter.secret(9)
        let short = "whsec_" + Data(repeating: 1, count: 16).base64EncodedString()
        let cases: [(String, [String])] = [
            (#"{"endpoints":[{"name":"a","url":"http://127.0.0.1:1","secrets":["\#(short)"]}]}"#,
             ["endpoints[0].secrets[0]", "16 bytes", "at least 24"]),
            (#"{"endpoints":[{"name":"a","url":"https://127.0.0.1:1","secrets":["\#(good)"]}]}"#, ["endpoints[0].url", "only http://"]),
            (#"{"endpoints":[{"name":"a","url":"http://127.0.0.1:1","secrets":["\#(good)"],"colour":"red"}]}"#,
             ["endpoints[0].colour: unknown field"]),
            (#"{"endpoints":[{"name":"a","url":"http://127.0.0.1:1","secrets":["env:FS_TEST_UNSET_SECRET"]}]}"#,
             ["endpoints[0].secrets[0]", "FS_TEST_UNSET_SECRET"]),
            (#"{"retry_schedule_ms":"soon","endpoints":[{"name":"a","url":"http://127.0.0.1:1","secrets":["\#(good)"]}]}"#,
             ["retry_schedule_ms"]),
        ]
        for (json, mentions) in cases {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("fs-bad-relay-\(UUID().uuidString).json").path
            try json.write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let child = try ChildProcess(executable: builtBinary("flashsale"),
                                         arguments: ["relay", "--redis", "redis://127.0.0.1:1", "--config", path])
            XCTAssertEqual(child.waitForExit(timeoutSeconds: 20), 64, child.output())
            for part in mentions { XCTAssertTrue(child.output().contains(part), "\(part) not in \(child.output())") }
        }
        let help = try ChildProcess(executable: builtBinary("flashsale"), arguments: ["relay", "run", "--help"])
        XCTAssertEqual(help.waitForExit(timeoutSeconds: 20), 0)
        XCTAssertTrue(help.output().contains("FLASHSALE_RELAY_CONFIG"), help.output())
        let missing = try ChildProcess(executable: builtBinary("flashsale"), arguments: ["relay", "--redis", "redis://127.0.0.1:1"])
        XCTAssertEqual(missing.waitForExit(timeoutSeconds: 20), 64, missing.output())
        XCTAssertTrue(missing.output().contains("--config"), missing.output())
        // A secret from the environment (or NAME_FILE) works.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("fs-env-relay-\(UUID().uuidString).json").path
        try #"{"metrics_port":0,"endpoints":[{"name":"a","url":"http://127.0.0.1:1","secrets":["env:FS_TEST_SECRET"]}]}"#
            .write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let child = try ChildProcess(executable: builtBinary("flashsale"),
                                     arguments: ["relay", "--redis", "redis://127.0.0.1:1", "--config", path],
                                     environment: ["FS_TEST_SECRET": good])
        XCTAssertTrue(waitUntil(timeoutSeconds: 10) { child.output().contains("metrics on") }, child.output())
        child.terminate()
        XCTAssertEqual(child.waitForExit(timeoutSeconds: 15), 0, child.output())
    }
}
