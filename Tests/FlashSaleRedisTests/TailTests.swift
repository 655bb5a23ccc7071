import FlashSaleWorker
import FlashSaleCore
import FlashSaleLoop
import FlashSaleRedis
import Foundation
import TestSupport
import XCTest

/// The tail of a sale with several workers: a unit idle in one worker's slice is still for
/// sale, so a buyer on another worker must not be told `sold_out` while it sits there
/// (docs/loadtest.md, "Known finding: stranded leases with two workers", now fixed).
final class TailTests: XCTestCase {
    private func core(tailIdleReturnMillis: Int64 = 50) -> ProcessCore {
        ProcessCore(configuration: CoreConfiguration(
            instance: UInt32.random(in: 1...UInt32.max),
            leasePolicy: LeasePolicy(tailIdleReturnMillis: tailIdleReturnMillis)))
    }

    /// One purchase, waiting for its answer.
    private func buyOne(_ engine: EngineFixture, _ user: String) -> PurchaseDecision? {
        engine.call { (e: WorkerEngine, done: @escaping (PurchaseDecision) -> Void) in
            e.purchase(sale: "s1", sku: "sku1", user: user, qty: 1, idempotencyKey: nil, completion: done)
        }
    }

    /// Worker `holder` buys once (its prefetch then leaves a unit in its slice) and gets no
    /// more buyers; `buyer` buys one at a time until refused. Every unit must be sold.
    private func strandScenario(holder: EngineFixture, buyer: EngineFixture, stock: Int, redis: RedisServerProcess) throws {
        guard case .reserved? = buyOne(holder, "first") else { return XCTFail("the holder's first purchase") }
        // The prefetch leaves a unit in the holder's slice (the situation of the bug).
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { holder.with { $0.unitsInSlices } > 0 }, "the holder keeps a slice")

        var reserved = 1
        var refusal: PurchaseDecision?
        for index in 0..<(stock + 5) {
            let answer = buyOne(buyer, "buyer-\(index)")
            if case .reserved? = answer { reserved += 1 } else { refusal = answer; break }
        }
        XCTAssertEqual(refusal, .soldOut, "the buyer is refused only once the stock is gone")
        XCTAssertEqual(reserved, stock, "every unit sold: \((try? engineAudit(redis)) ?? [])")
        let row = try XCTUnwrap(engineAudit(redis).first)
        XCTAssertTrue(row.isConserved, "\(row)")
        XCTAssertEqual(row.pool + row.leased, 0, "nothing left in the pool or a slice: \(row)")
        XCTAssertEqual(holder.with { $0.unitsInSlices }, 0)
    }

    /// In-process: the holder never returns an idle slice by time (1 h), so only the
    /// sibling's demand signal (ProcessCore.tailDemand) can free its unit.
    func testTwoWorkersSiblingDemandFreesAStrandedUnit() throws {
        let redis = try RedisServerProcess()
        let core = core(tailIdleReturnMillis: 3_600_000)
        let engines = (0..<2).map { EngineFixture(core: core, port: redis.port, workerIndex: $0) }
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { engines.allSatisfy { $0.isReady } })
        XCTAssertEqual(try engines[0].upsert(engineLiveSale(stock: 20))?.get(), .created)
        try strandScenario(holder: engines[0], buyer: engines[1], stock: 20, redis: redis)
        XCTAssertGreaterThan(engines[0].stats.unitsReturnedAtTail, 0, "the holder handed its unit back")
        for engine in engines { engine.shutdown() }
    }

    /// Across nodes (no shared process): the holder returns its idle tail slice after
    /// `tailIdleReturnMillis`, and the buyer's node waits for it (the lease script reports
    /// units leased elsewhere) instead of answering sold out.
    func testTwoNodesIdleTailSliceGoesBackAndSells() throws {
        let redis = try RedisServerProcess()
        let nodeA = EngineFixture(core: core(), port: redis.port, nodeID: "node-a") { $0.saleSyncIntervalMillis = 100 }
        let nodeB = EngineFixture(core: core(), port: redis.port, nodeID: "node-b") { $0.saleSyncIntervalMillis = 100 }
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { nodeA.isReady && nodeB.isReady })
        XCTAssertEqual(try nodeA.upsert(engineLiveSale(stock: 12))?.get(), .created)
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { nodeB.core.sales.config(sale: "s1") != nil })
        try strandScenario(holder: nodeA, buyer: nodeB, stock: 12, redis: redis)
        nodeA.shutdown()
        nodeB.shutdown()
    }

    /// Bursts on 2 and 3 workers where some workers stop getting buyers early: demand
    /// exceeds stock, so every unit must be sold and Redis must show nothing left.
    func testBurstsWhereWorkersStopEarlySellEveryUnit() throws {
        for workers in [2, 3] {
            for run in 0..<3 {
                let redis = try RedisServerProcess()
                let core = core()
                let engines = (0..<workers).map { EngineFixture(core: core, port: redis.port, workerIndex: $0) }
                XCTAssertTrue(waitUntil(timeoutSeconds: 5) { engines.allSatisfy { $0.isReady } })
                let stock = 50
                XCTAssertEqual(try engines[0].upsert(engineLiveSale(stock: stock))?.get(), .created)
                let log = AnswerLog()
                // Every worker gets a few small bursts; worker i stops after i + 1 rounds,
                // the last one keeps going until it is refused.
                var asked = 0
                for round in 0..<40 {
                    for (index, engine) in engines.enumerated() where index == workers - 1 || round <= index {
                        engine.buy((0..<4).map { "w\(index)-r\(round)-\($0)" }, log: log)
                        asked += 4
                    }
                    XCTAssertTrue(waitUntil(timeoutSeconds: 5) { log.count == asked })
                    if log.count(where: { $0 == .soldOut }) > 0 { break }
                }
                let sold = log.reservedOrders.count
                XCTAssertEqual(sold, stock, "\(workers) workers, run \(run): sold \(sold) of \(stock) \((try? engineAudit(redis)) ?? [])")
                let row = try XCTUnwrap(engineAudit(redis).first)
                XCTAssertTrue(row.isConserved, "\(row)")
                XCTAssertEqual(row.reserved, Int64(stock))
                for engine in engines { engine.shutdown() }
                let after = try XCTUnwrap(engineAudit(redis).first)
                XCTAssertEqual(after.pool, 0, "nothing went back unsold")
                XCTAssertEqual(after.leased, 0)
            }
        }
    }
}
