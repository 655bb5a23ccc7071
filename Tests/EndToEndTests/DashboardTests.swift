import Foundation
import TestSupport
import XCTest

/// `flashsale dashboard` against a real redis-server after a real burst, seen
/// through its JSON, its /metrics and headless Chromium.
final class DashboardTests: XCTestCase {
    /// Numbers as the page prints them (`toLocaleString("en-US")`).
    private func shown(_ value: Int64) -> String {
        let digits = String(abs(value))
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
            out.append(character)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// One SKU's counters read by the test itself in one MULTI.
    private func redisCounters(_ db: BlockingRedis, sale: String, sku: String) throws -> [String: Int64] {
        let replies = try db.pipeline([
            ["MULTI"], ["GET", "fs:{\(sale)}:pool:\(sku)"], ["HVALS", "fs:{\(sale)}:leases:\(sku)"],
            ["HMGET", "fs:{\(sale)}:counts:\(sku)", "total", "reserved", "paid", "cancelled", "expired"], ["EXEC"],
        ])
        let exec = replies[4].elements
        let counts = exec[2].elements.map { $0.int ?? 0 }
        return ["pool": exec[0].int ?? 0, "leased": exec[1].elements.reduce(0) { $0 + ($1.int ?? 0) },
                "total": counts[0], "reserved": counts[1], "paid": counts[2], "cancelled": counts[3], "expired": counts[4]]
    }

    private func skuRow(_ snapshot: [String: Any], _ sku: String) -> [String: Int64]? {
        guard let sale = snapshot["sale"] as? [String: Any], let skus = sale["skus"] as? [[String: Any]],
              let row = skus.first(where: { $0["sku"] as? String == sku }) else { return nil }
        var out: [String: Int64] = [:]
        for key in ["total", "pool", "leased", "reserved", "paid", "cancelled", "expired"] { out[key] = (row[key] as? NSNumber)?.int64Value }
        return out
    }

    private func conservationOK(_ snapshot: [String: Any]) -> Bool? {
        (snapshot["conservation"] as? [String: Any])?["ok"] as? Bool
    }

    private func redisUp(_ snapshot: [String: Any]) -> Bool? {
        (snapshot["redis"] as? [String: Any])?["up"] as? Bool
    }

    func testDashboardShowsWhatRedisHoldsAfterABurst() throws {
        let redis = try RedisServerProcess()
        let engine = try EngineProcess(redis: redis, arguments: ["--trust-user-header", "--rate-limit-user", "off", "--rate-limit-address", "off"],
                                       workers: "2")
        // The dashboard logs in as a Redis user that may only read: a write would be refused and logged.
        let admin = try redis.client()
        try grantReadOnlyUser(admin)
        let dashboard = try DashboardProcess(redisURL: "redis://dashboard:dash-pw@127.0.0.1:\(redis.port)")
        let sale = "wall"
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("dash-burst-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }

        // A real burst: 6000 buyers within 6 s for 4000 units (it sells out after about 4 s).
        let burst = try ChildProcess(executable: builtBinary("flashsale-loadtest"), arguments: [
            "burst", "--url", "http://127.0.0.1:\(engine.port)", "--sale", sale, "--sku", "a", "--create-sale",
            "--stock", "4000", "--per-user-limit", "1", "--users", "6000", "--window", "6", "--connections", "64",
            "--trust-user-header", "--redis", redis.url, "--settle", "10", "--out", out, "--quiet",
        ], environment: Secrets.environment)
        // During the burst (a few seconds in, so the plots have a history): the page renders in Chromium.
        XCTAssertTrue(waitUntil(timeoutSeconds: 30, pollMillis: 100) {
            ((try? self.skuRow(dashboard.snapshot(), "a"))??["reserved"] ?? 0) >= 1500
        }, "the dashboard never saw the burst")
        let screenshot = FileManager.default.temporaryDirectory.appendingPathComponent("dash-\(UUID().uuidString).png").path
        defer { try? FileManager.default.removeItem(atPath: screenshot) }
        try Chromium.screenshot(dashboard.url + "?sale=\(sale)", to: screenshot)
        let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47], "a PNG")
        XCTAssertGreaterThan(png.count, 20_000, "a rendered page, not a blank one")
        if let keep = ProcessInfo.processInfo.environment["FLASHSALE_DASHBOARD_SCREENSHOT"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(atPath: screenshot, toPath: keep)
        }
        XCTAssertEqual(burst.waitForExit(timeoutSeconds: 120), 0, burst.output())
        XCTAssertTrue(burst.output().contains("VERDICT      PASS"), burst.output())

        // After the burst: the JSON equals what Redis holds (read twice around a dashboard read, equal both times).
        let db = try redis.client()
        var matched = false
        var last = ""
        for _ in 0..<5 where !matched {
            let before = try redisCounters(db, sale: sale, sku: "a")
            let readAfter = Date().timeIntervalSince1970 * 1000
            XCTAssertTrue(waitUntil(timeoutSeconds: 5, pollMillis: 50) {
                guard let snapshot = try? dashboard.snapshot(), let redisInfo = snapshot["redis"] as? [String: Any],
                      let at = (redisInfo["last_read_at"] as? NSNumber)?.doubleValue else { return false }
                return at > readAfter
            })
            let snapshot = try dashboard.snapshot("sale=\(sale)")
            let after = try redisCounters(db, sale: sale, sku: "a")
            last = "redis \(before) / \(after), dashboard \(String(describing: skuRow(snapshot, "a")))"
            matched = before == after && skuRow(snapshot, "a") == before
        }
        XCTAssertTrue(matched, last)
        let counters = try redisCounters(db, sale: sale, sku: "a")
        XCTAssertEqual(counters["total"], 4000)
        XCTAssertGreaterThan(counters["reserved"] ?? 0, 0)
        XCTAssertEqual(conservationOK(try dashboard.snapshot()), true)

        // Chromium shows the sale's numbers.
        let dom = try Chromium.dom(dashboard.url + "?sale=\(sale)")
        let row = ["a", shown(counters["total"]!), shown(counters["pool"]!), shown(counters["leased"]!),
                   shown(counters["reserved"]!), shown(counters["paid"]!)].map { "<td>\($0)</td>" }.joined()
        XCTAssertTrue(dom.contains(#"<tr data-sku="a">"# + row), "row \(row) not in the page:\n\(dom.prefix(6000))")
        XCTAssertTrue(dom.contains(#"id="conservation" class="badge ok""#), String(dom.prefix(3000)))
        XCTAssertTrue(dom.contains(#"id="redis-status" class="badge ok""#), String(dom.prefix(3000)))
        XCTAssertTrue(dom.contains("<polygon"), "the stock-flow plot is drawn")
        XCTAssertFalse(dom.contains("http://") && dom.contains("<script src"), "no external resources")

        // /metrics of both processes pass promtool without a warning.
        let engineScrape = try engine.get("/metrics")
        let dashboardScrape = try dashboard.get("/metrics")
        for (name, scrape) in [("engine", engineScrape), ("dashboard", dashboardScrape)] {
            XCTAssertEqual(scrape.status, 200)
            let (status, output) = try PrometheusTools.checkMetrics(scrape.body)
            XCTAssertEqual(status, 0, "\(name): \(output)")
            XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines), "", "\(name) /metrics: \(output)")
        }
        XCTAssertTrue(engineScrape.body.contains("flashsale_flush_duration_seconds_bucket{worker=\"0\",le=\"+Inf\"}"))
        XCTAssertTrue(engineScrape.body.contains(#"flashsale_http_requests_total{method="POST",route="/v1/sales/{sale}/purchases",status="201"}"#))
        XCTAssertTrue(dashboardScrape.body.contains("flashsale_conservation_violations{sale=\"\(sale)\",sku=\"a\"} 0"), dashboardScrape.body)

        // An injected violation turns the check red within 2 s and raises the metric.
        try db.command("HINCRBY", "fs:{\(sale)}:counts:a", "total", "3")
        let injected = Date()
        XCTAssertTrue(waitUntil(timeoutSeconds: 2, pollMillis: 50) {
            (try? dashboard.snapshot()).flatMap(self.conservationOK) == false
                && ((try? dashboard.get("/metrics").body) ?? "").contains("flashsale_conservation_violations{sale=\"\(sale)\",sku=\"a\"} 1")
        }, "violation not shown within 2 s")
        let seen = Date().timeIntervalSince(injected)
        print("dashboard: injected violation shown after \(Int(seen * 1000)) ms")
        let red = try Chromium.dom(dashboard.url + "?sale=\(sale)")
        XCTAssertTrue(red.contains(#"id="conservation" class="badge bad">CONSERVATION VIOLATED: \#(sale)/a off by 3"#), String(red.prefix(3000)))
        XCTAssertTrue(red.contains("off by 3)</td>"), "the SKU row says by how much")
        try db.command("HINCRBY", "fs:{\(sale)}:counts:a", "total", "-3")
        XCTAssertTrue(waitUntil(timeoutSeconds: 3, pollMillis: 50) { (try? dashboard.snapshot()).flatMap(self.conservationOK) == true })

        // Bad query parameters: 400 with a message, the page keeps serving.
        let bad = try dashboard.get("/?per_page=1000")
        XCTAssertEqual(bad.status, 400)
        XCTAssertEqual(bad.errorCode, "bad_query")
        XCTAssertEqual(bad.errorMessage, "per_page must be an integer from 1 to 100")
        XCTAssertEqual(try dashboard.get("/api/events?sale=%7Bx%7D").status, 400)
        XCTAssertEqual(try dashboard.get("/").status, 200)

        // The feed: Server-Sent Events, one per second.
        let events = try HTTPTestClient.streamPrefix(port: dashboard.port, path: "/api/events?sale=\(sale)", seconds: 2.5)
        XCTAssertTrue(events.contains("Content-Type: text/event-stream"), events)
        XCTAssertGreaterThanOrEqual(events.components(separatedBy: "\ndata: {").count - 1, 2, events)

        // The read-only user was never refused anything: the dashboard only reads.
        let denials = try db.command("ACL", "LOG").elements
        XCTAssertTrue(denials.isEmpty, "ACL LOG: \(denials)")

        // Redis stopped: the page says so and keeps serving; Redis back: it recovers.
        redis.stop()
        XCTAssertTrue(waitUntil(timeoutSeconds: 5, pollMillis: 100) { (try? dashboard.snapshot()).flatMap(self.redisUp) == false })
        let down = try Chromium.dom(dashboard.url)
        XCTAssertTrue(down.contains(#"id="redis-status" class="badge bad">Redis unreachable"#), String(down.prefix(3000)))
        XCTAssertTrue(down.contains("numbers from "), "the last numbers are marked stale")
        XCTAssertTrue((try dashboard.get("/metrics").body).contains("flashsale_dashboard_redis_up 0"))
        try redis.restart()
        try grantReadOnlyUser(try redis.client())
        XCTAssertTrue(waitUntil(timeoutSeconds: 10, pollMillis: 100) { (try? dashboard.snapshot()).flatMap(self.redisUp) == true })
        let back = try Chromium.dom(dashboard.url)
        XCTAssertTrue(back.contains(#"id="redis-status" class="badge ok">Redis OK"#), String(back.prefix(3000)))
        withExtendedLifetime(engine) {}
    }

    /// `dashboard`: may log in, read `fs:*` keys, run MULTI/EXEC, TIME, SCAN, INFO (standalone or
    /// cluster?) and CLUSTER SLOTS; nothing else.
    private func grantReadOnlyUser(_ db: BlockingRedis) throws {
        XCTAssertEqual(try db.command("ACL", "SETUSER", "dashboard", "reset", "on", ">dash-pw", "~fs:*",
                                      "+@read", "+@transaction", "+@connection", "+time", "+select", "+info", "+cluster|slots", "-@write"), .status("OK"))
    }

    func testCommandLineFailuresAreTold() throws {
        let badPort = try ChildProcess(executable: builtBinary("flashsale"), arguments: ["dashboard", "--port", "70000"])
        XCTAssertEqual(badPort.waitForExit(timeoutSeconds: 10), 64, badPort.output())
        let badURL = try ChildProcess(executable: builtBinary("flashsale"), arguments: ["dashboard", "--redis", "redis://u:pw-secret@h:x"])
        XCTAssertEqual(badURL.waitForExit(timeoutSeconds: 10), 64)
        XCTAssertFalse(badURL.output().contains("pw-secret"), badURL.output())
        // The port is taken (by a listener without SO_REUSEPORT): a runtime failure, exit 1, no usage text.
        let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(holder) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(holder, $0, length) == 0 && listen(holder, 1) == 0 && getsockname(holder, $0, &length) == 0 }
        }
        XCTAssertTrue(bound)
        let taken = Int(UInt16(bigEndian: address.sin_port))
        let busy = try ChildProcess(executable: builtBinary("flashsale"), arguments: ["dashboard", "--port", String(taken)])
        XCTAssertEqual(busy.waitForExit(timeoutSeconds: 10), 1, busy.output())
        XCTAssertTrue(busy.output().contains("cannot listen on 127.0.0.1:\(taken)"), busy.output())
        XCTAssertFalse(busy.output().contains("USAGE"), busy.output())
        // Redis that never answers: the dashboard still serves, and says so.
        let lonely = try DashboardProcess(redisURL: "redis://127.0.0.1:\(freeLoopbackPort())")
        XCTAssertTrue(waitUntil(timeoutSeconds: 5, pollMillis: 100) {
            let redis = (try? lonely.snapshot())?["redis"] as? [String: Any]
            return redis?["up"] as? Bool == false && (redis?["error"] as? String ?? "").contains("refused")
        }, "the page does not say why Redis is unreachable")
        XCTAssertEqual(try lonely.get("/").status, 200)
    }

    func testManySalesArePaged() throws {
        let redis = try RedisServerProcess()
        let db = try redis.client()
        // 250 sales written as the schema documents them (the dashboard only reads).
        var commands: [[String]] = []
        for index in 0..<250 {
            let sale = String(format: "s%03d", index)
            commands.append(["HSET", "fs:{\(sale)}:sale", "id", sale, "starts_at", "0", "ends_at", "9999999999999",
                             "per_user_limit", "1", "skus", "a", "schema", "2"])
            commands.append(["SET", "fs:{\(sale)}:pool:a", "10"])
            commands.append(["HSET", "fs:{\(sale)}:counts:a", "total", "10", "reserved", "0", "paid", "0"])
        }
        _ = try db.pipeline(commands)
        let dashboard = try DashboardProcess(redisURL: redis.url)
        XCTAssertTrue(waitUntil(timeoutSeconds: 5, pollMillis: 100) {
            ((try? dashboard.snapshot())?["sales"] as? [String: Any])?["count"] as? Int == 250
        })
        let page = try dashboard.snapshot("page=3&per_page=100")
        let sales = try XCTUnwrap(page["sales"] as? [String: Any])
        XCTAssertEqual(sales["pages"] as? Int, 3)
        let items = try XCTUnwrap(sales["items"] as? [[String: Any]])
        XCTAssertEqual(items.count, 50)
        XCTAssertEqual(items.first?["sale"] as? String, "s200")
        let filtered = try dashboard.snapshot("q=s12&sale=s127")
        XCTAssertEqual((filtered["sales"] as? [String: Any])?["count"] as? Int, 10)
        XCTAssertEqual((filtered["sale"] as? [String: Any])?["sale"] as? String, "s127")
        let dom = try Chromium.dom(dashboard.url + "?page=2&q=s1")
        XCTAssertTrue(dom.contains("page 2 of 5 · 100 sales"), String(dom.prefix(4000)))
        XCTAssertTrue(dom.contains(#"data-sale="s120""#))

        // SIGTERM with an event stream open: the stream ends and the process exits cleanly at once.
        let port = dashboard.port
        let reader = Thread { _ = try? HTTPTestClient.streamPrefix(port: port, path: "/api/events", seconds: 5) }
        reader.start()
        Thread.sleep(forTimeInterval: 0.5)
        let stopping = Date()
        dashboard.process.terminate()
        XCTAssertEqual(dashboard.process.waitForExit(timeoutSeconds: 5), 0, dashboard.process.output())
        XCTAssertLessThan(Date().timeIntervalSince(stopping), 0.8, "an open stream held the shutdown (the grace period is 1 s)")
    }
}
