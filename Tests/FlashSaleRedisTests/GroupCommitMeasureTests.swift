import FlashSaleCore
import FlashSaleLoop
import FlashSaleRedis
import Foundation
import TestSupport
import XCTest
import FlashSaleWorker

/// Persisted orders per second through one engine's group commit into one Redis.
///
/// Skipped unless FLASHSALE_MEASURE=1 (speed lives here, not in assertions). Run it with
/// loadtest/redis-group-commit.sh, which pins redis-server to CPU 0 and this driver to
/// CPU 1 and runs redis-benchmark's EVALSHA of the anchor purchase script in the same run.
/// Env: FLASHSALE_MEASURE_REDIS_PORT (use that server; else start one),
/// FLASHSALE_MEASURE_SECONDS (10), FLASHSALE_MEASURE_OUTSTANDING (8192 purchases waiting).
final class GroupCommitMeasureTests: XCTestCase {
    func testMeasurePersistedOrdersPerSecond() throws {
        let env = ProcessInfo.processInfo.environment
        try XCTSkipUnless(env["FLASHSALE_MEASURE"] == "1", "set FLASHSALE_MEASURE=1 to measure")
        let seconds = Double(env["FLASHSALE_MEASURE_SECONDS"] ?? "") ?? 10
        let outstanding = Int(env["FLASHSALE_MEASURE_OUTSTANDING"] ?? "") ?? 8192
        var ownServer: RedisServerProcess?
        let port: Int
        if let text = env["FLASHSALE_MEASURE_REDIS_PORT"], let given = Int(text) {
            port = given
        } else {
            let server = try RedisServerProcess()
            ownServer = server
            port = server.port
        }
        _ = try BlockingRedis(port: port).command("FLUSHALL")

        let core = ProcessCore(configuration: CoreConfiguration(
            instance: 7, leasePolicy: LeasePolicy(maxLease: 4096, shareDivisor: 4),
            pendingOrderCapacity: outstanding + 1024, parkCapacity: outstanding))
        let engine = EngineFixture(
            core: core, port: port, nodeID: "measure", tweak: { $0.statsIntervalMillis = 1000 },
            redisTweak: { $0.maxInFlight = 100_000 })
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { engine.isReady })
        let sale = engineLiveSale("s1", stock: SaleConfig.maxStock, limit: SaleConfig.maxPerUserLimit)
        XCTAssertEqual(try engine.upsert(sale)?.get(), .created)

        // The driver runs on the engine's loop: after every turn it tops the purchases
        // waiting for an answer back up to `outstanding`.
        let driver = LoopOwned<MeasureDriver?>(nil)
        engine.with { persistence in
            let d = MeasureDriver(engine: persistence, outstanding: outstanding)
            driver.value = d
            d.start()
        }
        Thread.sleep(forTimeInterval: 1)  // warm-up: leases, connection, caches
        let start = engine.with { persistence -> (Int, UInt64) in
            persistence.resetGroupCommitSummary()
            return (driver.value!.reserved, EventLoop.monotonicNanos())
        }
        Thread.sleep(forTimeInterval: seconds)
        let end = engine.with { persistence -> (Int, UInt64, GroupCommitSummary, Int, Int) in
            let d = driver.value!
            d.stop()
            return (d.reserved, EventLoop.monotonicNanos(), persistence.groupCommitSummary, d.overloaded, d.other)
        }
        let elapsed = Double(end.1 - start.1) / 1e9
        let rate = Double(end.0 - start.0) / elapsed
        let s = end.2
        print(String(
            format: "GROUP-COMMIT orders_per_s=%.0f seconds=%.1f batch_p50=%d batch_p99=%d batch_max=%d flush_p50_us=%d flush_p99_us=%d flushes=%d overloaded=%d other=%d outstanding=%d",
            rate, elapsed, s.batchP50, s.batchP99, s.batchMax, s.flushP50Micros, s.flushP99Micros, s.flushes,
            end.3, end.4, outstanding))
        XCTAssertGreaterThan(end.0 - start.0, 0)
        // Everything acknowledged is in Redis.
        let done = DispatchSemaphore(value: 0)
        engine.with { $0.shutdown { done.signal() } }
        _ = done.wait(timeout: .now() + 30)
        engine.fixture.shutdown()
        let row = try XCTUnwrap(engineAudit(port: port).first)
        XCTAssertTrue(row.isConserved)
        XCTAssertGreaterThanOrEqual(row.reserved, Int64(end.0))
        _ = ownServer
    }
}

/// Generates purchases on the engine's loop (loop thread only).
final class MeasureDriver {
    let engine: WorkerEngine
    let outstanding: Int
    let observer: LoopTurnHook
    let poke: LoopTimer
    var waiting = 0
    var next = 0
    var reserved = 0
    var overloaded = 0
    var other = 0
    var running = false

    init(engine: WorkerEngine, outstanding: Int) {
        self.engine = engine
        self.outstanding = outstanding
        observer = LoopTurnHook(loop: engine.loop)
        poke = LoopTimer(loop: engine.loop)
    }

    func start() {
        running = true
        observer.start { [unowned self] in self.topUp() }
        topUp()
    }

    func stop() {
        running = false
        observer.close()
        poke.close()
    }

    private func topUp() {
        guard running else { return }
        // At most one batch per turn, so each turn's purchases form one flush.
        var budget = 512
        while waiting < outstanding, budget > 0 {
            budget -= 1
            waiting += 1
            next += 1
            engine.purchase(sale: "s1", sku: "sku1", user: "m\(next)", qty: 1, idempotencyKey: nil) { [unowned self] decision in
                self.waiting -= 1
                switch decision {
                case .reserved: self.reserved += 1
                case .overloaded: self.overloaded += 1
                default: self.other += 1
                }
            }
        }
        // Keep the loop turning while there is room (an idle loop would block in poll).
        if waiting < outstanding, !poke.isActive { poke.start(afterMillis: 0) { [unowned self] in self.topUp() } }
    }
}
