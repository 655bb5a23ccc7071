import FlashSaleCore
import FlashSaleRedis
import Foundation
import TestSupport
import XCTest
import FlashSaleWorker

/// The lease liveness scripts against a real redis-server: holders recorded by grants,
/// dropped by returns and reclaims, heartbeats, and the reaper (Redis `TIME`, so the tests
/// wait out a short grace instead of faking a clock).
final class ScriptsLivenessTests: XCTestCase {
    private func lease(_ redis: BlockingRedis, _ worker: String, _ sku: String, _ want: Int64) throws {
        _ = try redis.runScript(FlashSaleScripts.leaseCall(sale: "s1", sku: sku, worker: worker, want: want))
    }

    private func beat(_ redis: BlockingRedis, _ worker: String) throws -> HolderBeat {
        try HolderBeat.parse(redis.runScript(FlashSaleScripts.holderBeatCall(sale: "s1", worker: worker)))
    }

    private func reap(_ redis: BlockingRedis, graceMillis: Int64) throws -> [ReapedHolder] {
        try ReapedHolder.parseAll(redis.runScript(FlashSaleScripts.reapCall(sale: "s1", graceMillis: graceMillis)))
    }

    private func redisMillis(_ redis: BlockingRedis) throws -> Int64 {
        let time = try redis.command("TIME").elements
        return Int64(time[0].string!)! * 1000 + Int64(time[1].string!)! / 1000
    }

    func testReaperFreesExactlyTheSilentHoldersUnitsAndEmitsLeaseReaped() throws {
        let server = try RedisServerProcess()
        let redis = try server.client()
        let sale = ScriptsTestSale(skus: ["a": 30, "b": 10], perUserLimit: 5)
        try sale.create(on: redis)
        try lease(redis, "dead/0", "a", 10)
        try lease(redis, "dead/0", "b", 5)
        try lease(redis, "live/0", "a", 7)
        let sold = try FlushReply.parse(redis.runScript(FlashSaleScripts.flushCall(
            sale: "s1", worker: "dead/0", orders: [sale.order("o1", sku: "a", user: "u1", qty: 2)])))
        XCTAssertEqual(sold.results, [.recorded])
        let before = try redisMillis(redis)
        XCTAssertEqual(Set(try redis.command("HKEYS", sale.keys.holders).elements.compactMap(\.string)), ["dead/0", "live/0"])
        let recorded = Int64(try redis.command("HGET", sale.keys.holders, "dead/0").string!)!
        XCTAssertLessThanOrEqual(abs(recorded - before), 1000, "the beat is Redis TIME in ms")

        XCTAssertEqual(try reap(redis, graceMillis: 300), [], "nobody is silent yet")
        Thread.sleep(forTimeInterval: 0.45)
        XCTAssertEqual(try beat(redis, "live/0"), .alive)
        XCTAssertEqual(try reap(redis, graceMillis: 300), [ReapedHolder(worker: "dead/0", units: 13)])

        let snapshots = try scriptsCheckInvariants(redis, sale: sale)
        XCTAssertEqual(snapshots["a"]?.leases, ["live/0": 7], "the live holder keeps its lease")
        XCTAssertEqual(snapshots["a"]?.pool, 30 - 7 - 2)
        XCTAssertEqual(snapshots["b"]?.leases, [:])
        XCTAssertEqual(snapshots["b"]?.pool, 10)
        XCTAssertEqual(try redis.command("HKEYS", sale.keys.holders).elements.compactMap(\.string), ["live/0"])

        let events = try redis.command("XRANGE", sale.keys.events, "-", "+").elements
        let reaped = events.compactMap { entry -> [String: String]? in
            let fields = entry.elements[1].elements.compactMap(\.string)
            var map: [String: String] = [:]
            for index in stride(from: 0, to: fields.count - 1, by: 2) { map[fields[index]] = fields[index + 1] }
            return map["type"] == "lease_reaped" ? map : nil
        }
        XCTAssertEqual(reaped.count, 1)
        XCTAssertEqual(reaped.first?["worker"], "dead/0")
        XCTAssertEqual(reaped.first?["units"], "13")
        XCTAssertEqual(reaped.first?["skus"], "a:8,b:5")
        XCTAssertGreaterThan(Int(reaped.first?["silent_ms"] ?? "0") ?? 0, 300)

        // The reaped worker wakes: its flush is refused for lease, its beat says so.
        let late = try FlushReply.parse(redis.runScript(FlashSaleScripts.flushCall(
            sale: "s1", worker: "dead/0", orders: [sale.order("o2", sku: "a", user: "u2")])))
        XCTAssertEqual(late.results, [.rejected(.lease)])
        XCTAssertEqual(late.leasesAfter["a"], 0)
        XCTAssertEqual(try beat(redis, "dead/0"), .notHolder)
        XCTAssertEqual(try reap(redis, graceMillis: 300), [], "reaping twice reaps nothing")
        try scriptsCheckInvariants(redis, sale: sale)
        // It leases again: a holder again.
        try lease(redis, "dead/0", "a", 3)
        XCTAssertEqual(try beat(redis, "dead/0"), .alive)
        try scriptsCheckInvariants(redis, sale: sale)
    }

    func testReturnsReclaimsAndBeatsKeepHoldersConsistent() throws {
        let server = try RedisServerProcess()
        let redis = try server.client()
        let sale = ScriptsTestSale(skus: ["a": 20, "b": 20], perUserLimit: 5)
        try sale.create(on: redis)
        XCTAssertEqual(try beat(redis, "w/0"), .notHolder, "no grant, no holder")
        _ = try redis.runScript(FlashSaleScripts.leaseCall(sale: "s1", sku: "a", worker: "w/0", want: 0))
        XCTAssertEqual(try redis.command("HEXISTS", sale.keys.holders, "w/0").int, 0, "a grant of 0 records nobody")
        try lease(redis, "w/0", "a", 4)
        try lease(redis, "w/0", "b", 4)
        func giveBack(_ sku: String) throws {
            _ = try redis.runScript(FlashSaleScripts.leaseReturnCall(sale: "s1", sku: sku, worker: "w/0", units: nil))
        }
        try giveBack("a")
        XCTAssertEqual(try redis.command("HEXISTS", sale.keys.holders, "w/0").int, 1, "still holds b")
        try giveBack("b")
        XCTAssertEqual(try redis.command("HEXISTS", sale.keys.holders, "w/0").int, 0, "holds nothing: entry gone")

        // A lease sold to 0 by a flush: the next beat drops the entry.
        try lease(redis, "w/0", "a", 1)
        let flushed = try FlushReply.parse(redis.runScript(FlashSaleScripts.flushCall(
            sale: "s1", worker: "w/0", orders: [sale.order("o1", sku: "a", user: "u1")])))
        XCTAssertEqual(flushed.results, [.recorded])
        XCTAssertEqual(try beat(redis, "w/0"), .released)
        XCTAssertEqual(try redis.command("HEXISTS", sale.keys.holders, "w/0").int, 0)

        // A restarted node's reclaim drops its workers' entries, not other nodes'.
        try lease(redis, "n1/0", "a", 2)
        try lease(redis, "n1/1", "b", 2)
        try lease(redis, "n10/0", "a", 2)
        _ = try redis.runScript(FlashSaleScripts.reclaimCall(sale: "s1", node: "n1"))
        XCTAssertEqual(try redis.command("HKEYS", sale.keys.holders).elements.compactMap(\.string), ["n10/0"])
        try scriptsCheckInvariants(redis, sale: sale)
    }

    func testReapIsAtomicAgainstConcurrentFlushesAndLeases() throws {
        let server = try RedisServerProcess()
        let setup = try server.client()
        let sale = ScriptsTestSale(skus: ["a": 2000], perUserLimit: 1_000_000)
        try sale.create(on: setup)
        // Four workers lease, beat and flush in a loop; w/0 goes silent after 20 rounds, and
        // the reaper (thread 4) runs throughout. Conservation must hold at the end.
        let stop = Flag()
        let reapedBox = ReapedBox()
        let port = server.port
        runOnThreads(5) { index in
            guard let redis = try? BlockingRedis(port: port) else { return }
            if index == 4 {
                let until = Date().addingTimeInterval(1.5)
                while Date() < until {
                    if let reply = try? redis.runScript(FlashSaleScripts.reapCall(sale: "s1", graceMillis: 400)),
                        let reaped = try? ReapedHolder.parseAll(reply)
                    {
                        reapedBox.append(reaped)
                    }
                    Thread.sleep(forTimeInterval: 0.05)
                }
                stop.set()
                return
            }
            let worker = "w/\(index)"
            let order = ScriptsTestSale(skus: ["a": 2000], perUserLimit: 1_000_000)
            var serial = 0
            while !stop.isSet {
                if index == 0, serial >= 20 { break }
                _ = try? redis.runScript(FlashSaleScripts.leaseCall(sale: "s1", sku: "a", worker: worker, want: 5))
                _ = try? redis.runScript(FlashSaleScripts.holderBeatCall(sale: "s1", worker: worker))
                let orders = (0..<3).map { order.order("o\(index)-\(serial)-\($0)", sku: "a", user: "u\(index)") }
                serial += 1
                _ = try? redis.runScript(FlashSaleScripts.flushCall(sale: "s1", worker: worker, orders: orders))
            }
        }
        let reaped = reapedBox.all
        XCTAssertEqual(reaped.map(\.worker), ["w/0"], "only the silent worker is reaped, once")
        let snapshot = try scriptsCheckInvariants(setup, sale: sale)["a"]!
        XCTAssertNil(snapshot.leases["w/0"])
        XCTAssertEqual(snapshot.total, snapshot.pool + snapshot.leased + snapshot.reserved + snapshot.paid)
    }
}

/// A flag shared with the test's threads.
private final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// Reaped holders collected by the reaper thread.
private final class ReapedBox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [ReapedHolder] = []
    var all: [ReapedHolder] { lock.withLock { items } }
    func append(_ more: [ReapedHolder]) { lock.withLock { items += more } }
}
