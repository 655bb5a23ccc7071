import FlashSaleCore
import FlashSaleLoop
import FlashSaleRedis
import Foundation
import TestSupport
import XCTest
import FlashSaleWorker

final class WorkerEngineRedisTests: XCTestCase {
    /// Buys with fresh users, one loop turn per round, until the stock is gone.
    private func burst(_ engines: [EngineFixture], stock: Int, log: AnswerLog, roundSize: Int = 150) {
        var round = 0
        while log.reservedOrders.count < stock, round < 200 {
            let before = log.count
            for (index, engine) in engines.enumerated() {
                engine.buy((0..<roundSize).map { "u\(round)-\(index)-\($0)" }, log: log)
            }
            waitUntil(timeoutSeconds: 10) { log.count == before + roundSize * engines.count }
            round += 1
        }
        // A few more rounds must all be sold out.
        let before = log.count
        for engine in engines { engine.buy((0..<20).map { "late-\($0)" }, log: log) }
        waitUntil(timeoutSeconds: 10) { log.count == before + 20 * engines.count }
    }

    private func assertConservedAndRecorded(_ redis: RedisServerProcess, stock: Int, log: AnswerLog, exact: Bool = true, file: StaticString = #filePath, line: UInt = #line) throws {
        let rows = try engineAudit(redis)
        XCTAssertEqual(rows.count, 1, file: file, line: line)
        guard let row = rows.first else { return }
        XCTAssertTrue(row.isConserved, "\(row)", file: file, line: line)
        XCTAssertTrue(row.buyersMatch, "\(row)", file: file, line: line)
        XCTAssertEqual(row.total, Int64(stock), file: file, line: line)
        let orders = log.reservedOrders
        if exact {
            XCTAssertEqual(Int64(orders.count), row.reserved, "every 201 is one reserved unit in Redis", file: file, line: line)
        } else {
            // Waiters that timed out while their flush's outcome was unknown got 503s for
            // orders Redis may have recorded.
            XCTAssertGreaterThanOrEqual(row.reserved, Int64(orders.count), file: file, line: line)
        }
        let client = try redis.client()
        let exists = try client.pipeline(orders.map { ["HEXISTS", "fs:{s1}:orders", $0.id.text] })
        XCTAssertEqual(exists.filter { $0.int == 1 }.count, orders.count, "every acknowledged order is in Redis", file: file, line: line)
    }

    func testBurstThroughOneEngineSellsExactlyTheStock() throws {
        let redis = try RedisServerProcess()
        let engine = EngineFixture(core: engineNewCore(), port: redis.port)
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { engine.isReady })
        XCTAssertEqual(try engine.upsert(engineLiveSale(stock: 500))?.get(), .created)

        let log = AnswerLog()
        burst([engine], stock: 500, log: log)
        XCTAssertEqual(log.reservedOrders.count, 500, "exactly the stock is sold")
        XCTAssertEqual(log.count(where: { $0 == .soldOut }) > 0, true)
        XCTAssertEqual(Set(log.reservedOrders.map(\.id)).count, 500)
        XCTAssertEqual(log.count(where: { if case .parked = $0 { return true } else { return false } }), 0)
        let stats = engine.stats
        XCTAssertEqual(stats.ordersPersisted, 500)
        XCTAssertGreaterThan(stats.maxBatch, 1, "orders of one turn leave in one batch")
        try assertConservedAndRecorded(redis, stock: 500, log: log)

        engine.shutdown()
        let row = try XCTUnwrap(engineAudit(redis).first)
        XCTAssertEqual(row.leased, 0, "shutdown hands every lease back")
        XCTAssertEqual(row.pool, 0, "demand exceeded stock: nothing left unsold")
        XCTAssertEqual(row.reserved, 500)
    }

    func testBurstThroughSeveralEnginesSellsExactlyTheStock() throws {
        let redis = try RedisServerProcess()
        let core = engineNewCore()
        let engines = (0..<3).map { EngineFixture(core: core, port: redis.port, workerIndex: $0) }
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { engines.allSatisfy { $0.isReady } })
        XCTAssertEqual(try engines[0].upsert(engineLiveSale(stock: 700, limit: 2))?.get(), .created)

        // Concurrent bursts from three threads, users shared between workers (limit 2 each).
        let log = AnswerLog()
        let group = DispatchGroup()
        for (index, engine) in engines.enumerated() {
            DispatchQueue.global().async(group: group) {
                for round in 0..<12 {
                    engine.buy((0..<120).map { "user-\((round * 120 + $0 + index * 7) % 500)" }, log: log)
                }
            }
        }
        group.wait()
        XCTAssertTrue(waitUntil(timeoutSeconds: 15) { log.count == 3 * 12 * 120 })
        let sold = log.reservedOrders.reduce(0) { $0 + $1.qty }
        XCTAssertLessThanOrEqual(sold, 700, "never oversold")
        var perUser: [String: Int] = [:]
        for (user, decision) in log.snapshot { if case .reserved = decision { perUser[user, default: 0] += 1 } }
        XCTAssertTrue(perUser.values.allSatisfy { $0 <= 2 }, "per-user limit holds")
        let buyers = try redis.client().command("HVALS", "fs:{s1}:buyers:sku1").elements.compactMap(\.int)
        XCTAssertTrue(buyers.allSatisfy { $0 <= 2 })
        try assertConservedAndRecorded(redis, stock: 700, log: log)

        // Keep buying with new users until the stock is gone: no unit stranded in a slice.
        burst(engines, stock: 700, log: log, roundSize: 60)
        XCTAssertEqual(log.reservedOrders.count, 700, "\((try? engineAudit(redis)) ?? []) slices \(engines.map { $0.with { $0.unitsInSlices } }) \(engines.map(\.stats))")
        for engine in engines { engine.shutdown() }
        let row = try XCTUnwrap(engineAudit(redis).first)
        XCTAssertTrue(row.isConserved)
        XCTAssertEqual(row.leased, 0)
        XCTAssertEqual(row.reserved, 700)
    }

    func testReservedModeAnswersAtOnceAndPersistsBehind() throws {
        let redis = try RedisServerProcess()
        let engine = EngineFixture(core: engineNewCore(), port: redis.port) { $0.ackMode = .reserved }
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { engine.isReady })
        XCTAssertEqual(try engine.upsert(engineLiveSale(stock: 300))?.get(), .created)
        let log = AnswerLog()
        burst([engine], stock: 300, log: log)
        XCTAssertEqual(log.reservedOrders.count, 300)
        engine.shutdown()  // flushes what is still queued
        try assertConservedAndRecorded(redis, stock: 300, log: log)
        XCTAssertEqual(try XCTUnwrap(engineAudit(redis).first).leased, 0)
    }

    func testRedisPausedMidBurstShedsLoadLosesNothingAndRecovers() throws {
        let redis = try RedisServerProcess()
        let engine = EngineFixture(
            core: engineNewCore(), port: redis.port,
            tweak: {
                $0.ackTimeoutMillis = 1500
                // One flush in flight: later orders wait in the queue, and are rolled back
                // unsent when the client declares Redis down.
                $0.maxBatchesInFlight = 1
            },
            redisTweak: { $0.commandTimeoutMillis = 500 })
        defer { redis.resume() }
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { engine.isReady })
        XCTAssertEqual(try engine.upsert(engineLiveSale(stock: 5000))?.get(), .created)
        let log = AnswerLog()
        engine.buy((0..<200).map { "before-\($0)" }, log: log)
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { log.count == 200 })

        redis.pause()
        var sent = 200
        var maxWaiting = 0
        var maxPending = 0
        for round in 0..<30 {
            engine.buy((0..<300).map { "paused-\(round)-\($0)" }, log: log)
            sent += 300
            let (waiting, pending) = engine.with { ($0.waitingPurchases, $0.shard.pendingOrderCount) }
            maxWaiting = max(maxWaiting, waiting)
            maxPending = max(maxPending, pending)
            Thread.sleep(forTimeInterval: 0.05)
        }
        // Every purchase gets an answer while Redis is stopped (overloaded, not a hang).
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { log.count == sent }, "\(log.count) of \(sent)")
        XCTAssertGreaterThan(log.count(where: { $0 == .overloaded }), 0)
        XCTAssertLessThanOrEqual(maxPending, 8192, "the order queue is bounded")
        XCTAssertLessThanOrEqual(maxWaiting, 8192 + 1024, "waiters are bounded by the queue and the park capacity")
        XCTAssertNotEqual(engine.with { $0.health }, StoreHealth.up)

        redis.resume()
        XCTAssertTrue(waitUntil(timeoutSeconds: 10) { engine.isReady }, "recovers without a restart")
        // Orders queued while paused are flushed after the resume.
        XCTAssertEqual(reservedOfHundredMore(engine, log: log, users: "after-"), 100)
        try assertConservedAndRecorded(redis, stock: 5000, log: log, exact: false)
        XCTAssertGreaterThan(engine.stats.ordersDroppedUnsent, 0, "unsent orders are rolled back, not recorded later")
        engine.shutdown()
        XCTAssertTrue(try XCTUnwrap(engineAudit(redis).first).isConserved)
    }

    func testRedisKilledMidBurstWithAOFKeepsEveryAcknowledgedOrder() throws {
        let redis = try RedisServerProcess(appendOnly: true, appendFsync: "always")
        let engine = EngineFixture(core: engineNewCore(), port: redis.port) { $0.ackTimeoutMillis = 2000 }
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { engine.isReady })
        XCTAssertEqual(try engine.upsert(engineLiveSale(stock: 3000))?.get(), .created)
        let log = AnswerLog()
        var sent = 0
        for round in 0..<20 {
            engine.buy((0..<100).map { "k\(round)-\($0)" }, log: log)
            sent += 100
            if round == 8 { redis.kill9() }
            if round == 12 { try redis.restart() }
            Thread.sleep(forTimeInterval: 0.02)
        }
        XCTAssertTrue(waitUntil(timeoutSeconds: 10) { log.count == sent }, "every purchase is answered")
        XCTAssertGreaterThan(log.count(where: { $0 == .overloaded }), 0, "overloaded while Redis was gone")
        XCTAssertTrue(waitUntil(timeoutSeconds: 10) { engine.isReady }, "reconnects by itself")
        XCTAssertGreaterThan(reservedOfHundredMore(engine, log: log, users: "back-"), 0)
        // Every 201 names an order that survived the kill (AOF, fsync always).
        try assertConservedAndRecorded(redis, stock: 3000, log: log, exact: false)
        engine.shutdown()
        let row = try XCTUnwrap(engineAudit(redis).first)
        XCTAssertTrue(row.isConserved, "\(row)")
        XCTAssertEqual(row.leased, 0)
    }

    func testRestartWithSameNodeIDReclaimsStaleLeases() throws {
        let redis = try RedisServerProcess()
        let first = EngineFixture(core: engineNewCore(), port: redis.port, nodeID: "node-r")
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { first.isReady })
        XCTAssertEqual(try first.upsert(engineLiveSale(stock: 400))?.get(), .created)
        let log = AnswerLog()
        first.buy((0..<50).map { "a\($0)" }, log: log)
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { log.count == 50 })
        XCTAssertEqual(log.reservedOrders.count, 50)
        first.crash()
        let stale = try XCTUnwrap(engineAudit(redis).first)
        XCTAssertGreaterThan(stale.leased, 0, "the crashed node left a lease behind")

        // Same node id, new process: loads the sale from Redis, reclaims, sells the rest.
        let second = EngineFixture(core: engineNewCore(), port: redis.port, nodeID: "node-r")
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { second.isReady })
        XCTAssertEqual(second.stats.unitsReclaimed, Int(stale.leased))
        let reclaimed = try XCTUnwrap(engineAudit(redis).first)
        XCTAssertTrue(reclaimed.isConserved)
        burst([second], stock: 400, log: log)
        XCTAssertEqual(log.reservedOrders.count, 400, "reclaimed units are sold again")
        second.shutdown()
        try assertConservedAndRecorded(redis, stock: 400, log: log)
    }

    func testPayCancelReadAndSaleSnapshot() throws {
        let redis = try RedisServerProcess()
        let engine = EngineFixture(core: engineNewCore(), port: redis.port)
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { engine.isReady })
        let sale = engineLiveSale(stock: 10)
        XCTAssertEqual(try engine.upsert(sale)?.get(), .created)
        XCTAssertEqual(try engine.upsert(sale)?.get(), .unchanged)
        let more = SaleConfig(
            name: "s1", startsAtMillis: sale.startsAtMillis, endsAtMillis: sale.endsAtMillis, perUserLimit: 1,
            reservationTTLMillis: 600_000, items: [SaleItem(sku: "sku1", stock: 11)])
        XCTAssertEqual(try engine.upsert(more)?.get(), .saleLive(field: "sku1"), "stock is frozen once live")

        let log = AnswerLog()
        engine.buy(["alice", "bob"], log: log)
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { log.count == 2 })
        let orders = log.reservedOrders
        XCTAssertEqual(orders.count, 2)
        let alice = orders[0].id.text, bob = orders[1].id.text

        let record = try XCTUnwrap(engine.call { (e: WorkerEngine, done: @escaping (Result<OrderRecord?, StoreError>) -> Void) in e.order(orderID: alice, completion: done) }?.get())
        XCTAssertEqual(record.user, "alice")
        XCTAssertEqual(record.status, "reserved")
        XCTAssertEqual(record.expiresAtMillis, orders[0].expiresAtMillis)

        let paid = engine.call { (e: WorkerEngine, done: @escaping (Result<PayOutcome, StoreError>) -> Void) in e.pay(orderID: alice, completion: done) }
        guard case .success(.paid)? = paid else { return XCTFail("\(String(describing: paid))") }
        let again = engine.call { (e: WorkerEngine, done: @escaping (Result<PayOutcome, StoreError>) -> Void) in e.pay(orderID: alice, completion: done) }
        XCTAssertEqual(again, .success(.alreadyPaid))

        let wrongUser = engine.call { (e: WorkerEngine, done: @escaping (Result<CancelOutcome, StoreError>) -> Void) in e.cancel(orderID: bob, user: "mallory", completion: done) }
        XCTAssertEqual(wrongUser, .success(.notFound))
        let cancelled = engine.call { (e: WorkerEngine, done: @escaping (Result<CancelOutcome, StoreError>) -> Void) in e.cancel(orderID: bob, user: "bob", completion: done) }
        guard case .success(.cancelled)? = cancelled else { return XCTFail("\(String(describing: cancelled))") }
        let unknown = engine.call { (e: WorkerEngine, done: @escaping (Result<PayOutcome, StoreError>) -> Void) in e.pay(orderID: "NOPE", completion: done) }
        XCTAssertEqual(unknown, .success(.notFound))

        // Bob's unit is back and his ledger entry released: he can buy again (limit 1).
        let retry = AnswerLog()
        engine.buy(["bob"], log: retry)
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { retry.count == 1 })
        XCTAssertEqual(retry.reservedOrders.count, 1)

        let snapshot = try XCTUnwrap(engine.call { (e: WorkerEngine, done: @escaping (Result<SaleSnapshot?, StoreError>) -> Void) in e.sale("s1", completion: done) }?.get())
        XCTAssertEqual(snapshot.state, "live")
        XCTAssertEqual(snapshot.items, [SaleSnapshot.Item(sku: "sku1", stock: 10, available: 8)])
        let none = engine.call { (e: WorkerEngine, done: @escaping (Result<SaleSnapshot?, StoreError>) -> Void) in e.sale("nope", completion: done) }
        XCTAssertEqual(none, .success(nil))
        engine.shutdown()
    }

    func testExpirySweepReleasesUnitsAndLedger() throws {
        let redis = try RedisServerProcess()
        let engine = EngineFixture(core: engineNewCore(), port: redis.port) { $0.sweepIntervalMillis = 100 }
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { engine.isReady })
        XCTAssertEqual(try engine.upsert(engineLiveSale(stock: 5, ttlSeconds: 1))?.get(), .created)
        let log = AnswerLog()
        engine.buy(["carol"], log: log)
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { log.count == 1 })
        let order = try XCTUnwrap(log.reservedOrders.first)
        // The same user is at the limit until the reservation expires.
        engine.buy(["carol"], log: log)
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { log.count == 2 })
        XCTAssertEqual(log.snapshot[1].decision, .limitExceeded)

        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { engine.stats.expiredBySweep == 1 })
        XCTAssertEqual(try redis.client().command("HGET", "fs:{s1}:orders", order.id.text).string?.split(separator: " ").first.map(String.init), "expired")
        engine.buy(["carol"], log: log)
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { log.count == 3 })
        guard case .reserved = log.snapshot[2].decision else { return XCTFail("\(log.snapshot[2])") }
        // Node stats are published with a TTL.
        XCTAssertTrue(waitUntil(timeoutSeconds: 3) {
            (try? redis.client().command("HGET", "fs:node:node-a/0", "reserved").int ?? 0) ?? 0 >= 2
        })
        XCTAssertGreaterThan(try redis.client().command("TTL", "fs:node:node-a/0").int ?? 0, 0)
        engine.shutdown()
        XCTAssertTrue(try XCTUnwrap(engineAudit(redis).first).isConserved)
    }
}

final class WorkerPersistenceNodesTests: XCTestCase {
    func testTwoNodesShareSalesAndIdempotencyThroughRedis() throws {
        let redis = try RedisServerProcess()
        let nodeA = EngineFixture(core: engineNewCore(), port: redis.port, nodeID: "node-a") { $0.saleSyncIntervalMillis = 100 }
        let nodeB = EngineFixture(core: engineNewCore(), port: redis.port, nodeID: "node-b") { $0.saleSyncIntervalMillis = 100 }
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { nodeA.isReady && nodeB.isReady })
        XCTAssertEqual(try nodeA.upsert(engineLiveSale(stock: 50, limit: 2))?.get(), .created)
        // Node B learns the sale from fs:sales.
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { nodeB.core.sales.config(sale: "s1") != nil })

        let log = AnswerLog()
        nodeA.buy(["dave"], key: "k1", log: log)
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { log.count == 1 })
        let first = try XCTUnwrap(log.reservedOrders.first)

        // The same key and body through the other node: Redis names the first order.
        nodeB.buy(["dave"], key: "k1", log: log)
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { log.count == 2 })
        guard case .duplicate(let again) = log.snapshot[1].decision else { return XCTFail("\(log.snapshot[1])") }
        XCTAssertEqual(again.id, first.id)
        XCTAssertEqual(again.expiresAtMillis, first.expiresAtMillis)

        // The same key with another body: 422.
        nodeB.buy(["dave"], qty: 2, key: "k1", log: log)
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { log.count == 3 })
        XCTAssertEqual(log.snapshot[2].decision, .idempotencyKeyReused)

        XCTAssertEqual(try redis.client().command("HGET", "fs:{s1}:buyers:sku1", "dave").int, 1)

        // Erin buys 2 (the limit) through A and cancels one order through B: A's ledger does
        // not hear of it, but A checks Redis before answering limit_exceeded.
        nodeA.buy(["erin", "erin"], log: log)
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { log.count == 5 })
        let erinOrders = log.snapshot.suffix(2).compactMap { if case .reserved(let o) = $0.decision { return o } else { return nil } }
        XCTAssertEqual(erinOrders.count, 2)
        // A third in the same turn is refused: her own unflushed orders are not mistaken for stale entries.
        nodeA.buy(["erin", "erin"], log: log)
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { log.count == 7 })
        XCTAssertEqual(log.snapshot.suffix(2).map(\.decision), [.limitExceeded, .limitExceeded])
        let cancelled = nodeB.call { (e: WorkerEngine, done: @escaping (Result<CancelOutcome, StoreError>) -> Void) in
            e.cancel(orderID: erinOrders[0].id.text, user: "erin", completion: done)
        }
        guard case .success(.cancelled)? = cancelled else { return XCTFail("\(String(describing: cancelled))") }
        nodeA.buy(["erin"], log: log)
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { log.count == 8 })
        guard case .reserved = log.snapshot[7].decision else { return XCTFail("\(log.snapshot[7])") }
        XCTAssertEqual(nodeA.stats.limitCorrections, 1)
        XCTAssertEqual(try redis.client().command("HGET", "fs:{s1}:buyers:sku1", "erin").int, 2)

        nodeA.shutdown()
        nodeB.shutdown()
        let row = try XCTUnwrap(engineAudit(redis).first)
        XCTAssertTrue(row.isConserved)
        XCTAssertEqual(row.reserved, 3)
        XCTAssertEqual(row.leased, 0)
    }
}

extension WorkerEngineRedisTests {
    /// Once every queued order is flushed, 100 more purchases by new users (`users` + 0…99),
    /// each answered: how many of them were reserved.
    func reservedOfHundredMore(
        _ engine: EngineFixture, log: AnswerLog, users: String, file: StaticString = #filePath, line: UInt = #line
    ) -> Int {
        XCTAssertTrue(waitUntil(timeoutSeconds: 10) { engine.with { $0.shard.pendingOrderCount } == 0 }, file: file, line: line)
        let after = log.count
        engine.buy((0..<100).map { "\(users)\($0)" }, log: log)
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { log.count == after + 100 }, file: file, line: line)
        return log.snapshot.suffix(100).filter { if case .reserved = $0.decision { return true } else { return false } }.count
    }
}
