import FlashSaleClient
import Foundation
import TestSupport
import XCTest
@testable import FlashSaleLoadTest

/// Each scenario against the real engine (`flashsale serve`, built binary) and
/// a private redis-server, small sizes; the oracle must say PASS.
final class EngineScenarioTests: XCTestCase {
    private var redis: RedisServerProcess!
    private var engine: ChildProcess?
    private var port = 0
    private let secrets = ["FLASHSALE_JWT_SECRET": "test-jwt-secret", "FLASHSALE_ADMIN_TOKEN": "test-admin",
                           "FLASHSALE_PAYMENT_TOKEN": "test-payment", "FLASHSALE_FULFILMENT_TOKEN": "test-fulfilment"]

    override func setUpWithError() throws {
        raiseOpenFileLimit()
        redis = try RedisServerProcess()
    }

    override func tearDown() {
        engine?.terminate()
        _ = engine?.waitForExit(timeoutSeconds: 15)
        redis?.stop()
    }

    private func startEngine(workers: Int = 2, extra: [String] = []) throws {
        port = freeLoopbackPort()
        let child = try ChildProcess(
            executable: builtBinary("flashsale"),
            arguments: ["serve", "--host", "127.0.0.1", "--port", String(port), "--redis", redis.url, "--workers", String(workers),
                        "--rate-limit-address", "off"] + extra,
            environment: secrets)
        engine = child
        let up = waitUntil(timeoutSeconds: 20, pollMillis: 100) {
            (try? HTTPExchange.request(host: "127.0.0.1", port: port, method: "GET", path: "/readyz", timeoutSeconds: 2))?.status == 200
        }
        XCTAssertTrue(up, "engine did not become ready: \(child.output())")
    }

    /// Stops the engine gracefully: it hands its leases back to the pool ("once leases are returned").
    private static func stopGracefully(_ engine: ChildProcess?) {
        engine?.terminate()
        XCTAssertEqual(engine?.waitForExit(timeoutSeconds: 20), 0, engine?.output() ?? "")
    }

    private func assertAllPass(_ report: RunReport, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNil(report.verifyError, file: file, line: line)
        XCTAssertEqual(report.verdicts.count, 6, file: file, line: line)
        for verdict in report.verdicts {
            XCTAssertNotEqual(verdict.status, .fail, "\(verdict.id): \(verdict.detail)", file: file, line: line)
        }
        XCTAssertTrue(report.passed, TextReport.render(report), file: file, line: line)
    }

    /// One burst (400 buyers, 50 units, 32 connections) against a fresh engine with
    /// `workers` workers and a fresh Redis; the oracle must say PASS.
    private func runBurst(workers: Int, run: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        if run > 0 {
            engine?.terminate()
            _ = engine?.waitForExit(timeoutSeconds: 15)
            redis?.stop()
            redis = try RedisServerProcess()
        }
        try startEngine(workers: workers)
        let scenario = Scenario.burst(users: 400, windowSeconds: 0.3, retryShare: 0.2, greedyShare: 0.2)
        let config = DriverConfiguration(
            host: "127.0.0.1", port: port, sale: "burst\(run)", sku: "A", scenario: scenario, connections: 32,
            auth: .jwt(secret: secrets["FLASHSALE_JWT_SECRET"]!), keyPrefix: "t1-\(run)", progressIntervalSeconds: 0)
        var session = ScenarioSession(
            driver: config, createSale: (secrets["FLASHSALE_ADMIN_TOKEN"]!, 50, 1, 600), redisURL: redis.url, settleSeconds: 10)
        let engine = self.engine
        // A graceful stop hands every lease back: a unit stranded in a worker's slice would
        // then sit in the pool, unsold, and fail no_undersell.
        session.beforeVerify = { Self.stopGracefully(engine) }
        let (report, evidence) = try session.run()
        let label = "\(workers) workers, run \(run)"
        assertAllPass(report, file: file, line: line)
        // Demand (400 buyers) exceeded stock (50): every unit sold, no more.
        XCTAssertEqual(report.verdicts.first { $0.id == "no_undersell" }?.status, .pass, label, file: file, line: line)
        XCTAssertEqual(evidence.acked.count, 50, label, file: file, line: line)
        XCTAssertEqual(report.summary.unitsSold, 50, label, file: file, line: line)
        XCTAssertGreaterThan(report.soldOutAnswers, 0, label, file: file, line: line)
        let purchase = try XCTUnwrap(report.summary.kinds.first { $0.kind == "purchase" })
        // Retries and greedy second tries were sent on top of one try per buyer.
        XCTAssertGreaterThan(purchase.ok + purchase.rejected + purchase.unknown, 400, label, file: file, line: line)
        XCTAssertEqual(purchase.unknown, 0, label, file: file, line: line)
        XCTAssertNotNil(report.sellOutSeconds, label, file: file, line: line)
    }

    func testBurstSellsOutExactlyAndVerifies() throws {
        // Several workers: the last units must not stay in one worker's slice while another
        // tells its buyers sold_out (docs/loadtest.md). With the tail fix switched off, 2 of
        // these 13 runs failed no_undersell here (the finding saw about every other run fail
        // on a busier machine); each run takes about half a second.
        for run in 0..<10 { try runBurst(workers: 2, run: run) }
        for run in 10..<13 { try runBurst(workers: 3, run: run) }
    }

    func testLifecyclePaysCancelsAndExpires() throws {
        try startEngine()
        let scenario = Scenario.lifecycle(users: 120, windowSeconds: 0.3, payShare: 0.4, cancelShare: 0.3)
        let config = DriverConfiguration(
            host: "127.0.0.1", port: port, sale: "life1", sku: "A", scenario: scenario, connections: 16,
            auth: .jwt(secret: secrets["FLASHSALE_JWT_SECRET"]!), paymentToken: secrets["FLASHSALE_PAYMENT_TOKEN"]!,
            keyPrefix: "t2", progressIntervalSeconds: 0)
        var session = ScenarioSession(
            driver: config, createSale: (secrets["FLASHSALE_ADMIN_TOKEN"]!, 80, 1, 1), redisURL: redis.url,
            settleSeconds: 10, expireWaitSeconds: 20)
        let engine = self.engine
        session.beforeVerify = { Self.stopGracefully(engine) }
        let (report, _) = try session.run()
        assertAllPass(report)
        let pay = try XCTUnwrap(report.summary.kinds.first { $0.kind == "pay" })
        let cancel = try XCTUnwrap(report.summary.kinds.first { $0.kind == "cancel" })
        XCTAssertGreaterThan(pay.ok, 0)
        XCTAssertGreaterThan(cancel.ok, 0)
        let counts = try redis.client().command(["HGETALL", "fs:{life1}:counts:A"]).hash
        XCTAssertEqual(counts["paid"], String(pay.ok))
        XCTAssertGreaterThan(Int(counts["expired"] ?? "0") ?? 0, 0, "\(counts)")
        XCTAssertEqual(counts["reserved"], "0")
    }

    func testSteadyThroughTheCommandLine() throws {
        try startEngine(extra: ["--trust-user-header"])
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("steady-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let run = try ChildProcess(
            executable: builtBinary("flashsale-loadtest"),
            arguments: ["steady", "--url", "http://127.0.0.1:\(port)", "--sale", "steady1", "--sku", "A", "--create-sale",
                        "--stock", "100000", "--rate", "400", "--duration", "1", "--connections", "16",
                        "--trust-user-header", "--redis", redis.url, "--out", out, "--quiet"],
            environment: secrets)
        XCTAssertEqual(run.waitForExit(timeoutSeconds: 60), 0, run.output())
        let output = run.output()
        XCTAssertTrue(output.contains("VERDICT      PASS"), output)
        XCTAssertTrue(output.contains("201×400"), output)
        let data = try Data(contentsOf: URL(fileURLWithPath: out + "/report.json"))
        let report = try JSONDecoder().decode(RunReport.self, from: data)
        XCTAssertEqual(report.summary.completed, 400)
        XCTAssertTrue(report.passed)
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        XCTAssertTrue(html.contains("<svg") && html.contains("conservation") && !html.contains("<script"))
    }
}
