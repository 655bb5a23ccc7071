#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TestSupport
import XCTest

/// Scale-out liveness and `--ack replicated` with built binaries (docs/scaling.md): two
/// engine nodes on one Redis, one killed or paused; one node on a master with a replica.
final class ReaperAndReplicationTests: XCTestCase {
    private static let grace = "1500"

    private func node(_ redis: RedisServerProcess, _ id: String, _ extra: [String] = []) throws -> EngineProcess {
        try EngineProcess(
            redis: redis, arguments: ["--trust-user-header", "--ack", "persisted", "--lease-grace-ms", Self.grace] + extra,
            nodeID: id)
    }

    private static func buy(_ port: Int, _ sale: String, user: String, key: String? = nil, timeout: Int = 5) -> HTTPResult? {
        Burst.buy(port, sale, user: user, key: key, timeout: timeout)
    }

    /// Nodes `first` and `second` on one Redis, a sale of SKU `a` put through `second`, and
    /// `first` (which learns of it at its next sale sync) selling: 3 units sold there.
    private func twoNodesSelling(
        _ first: String, _ second: String, sale: String, stock: Int
    ) throws -> (RedisServerProcess, EngineProcess, EngineProcess, [Int: OrderCollector]) {
        let redis = try RedisServerProcess()
        let one = try node(redis, first)
        let two = try node(redis, second)
        XCTAssertEqual(try two.putSale(sale, Sales.body(stock: ["a": stock], limit: 1)).status, 201)
        let collectors = [one.port: OrderCollector(), two.port: OrderCollector()]
        let collector = collectors[one.port]!
        XCTAssertTrue(waitUntil(timeoutSeconds: 10, pollMillis: 50) {
            if let result = Self.buy(one.port, sale, user: "first-\(collector.count)"), result.status == 201,
                let id = result.json["order_id"] as? String
            {
                collector.add(id)
            }
            return collector.count >= 3
        })
        return (redis, one, two, collectors)
    }

    private func reapedWorkers(_ db: BlockingRedis, sale: String) throws -> [String] {
        try db.command("XRANGE", "fs:{\(sale)}:events", "-", "+").elements.compactMap { entry in
            let fields = entry.elements[1].elements.compactMap(\.string)
            guard fields.count >= 4, fields[0] == "type", fields[1] == "lease_reaped", fields[2] == "worker" else { return nil }
            return fields[3]
        }
    }

    func testKilledNodesLeasesAreReapedAndTheOtherNodeSellsTheRest() throws {
        let (redis, dead, live, collectors) = try twoNodesSelling("dead", "live", sale: "k", stock: 2000)
        let stop = AtomicFlag()
        let group = Burst.start([dead.port, live.port], sale: "k", threads: 6, prefix: "b", stop: stop, into: collectors)
        let db = try redis.client()
        // Mid-burst, while the node to be killed holds units.
        XCTAssertTrue(waitUntil(timeoutSeconds: 20, pollMillis: 5) {
            collectors[dead.port]!.count >= 40 && (Int((try? db.command("HGET", "fs:{k}:leases:a", "dead/0").string) ?? "0") ?? 0) > 0
        }, "dead: \(collectors[dead.port]!.count) 201s, leases \((try? db.command("HGETALL", "fs:{k}:leases:a").hash) ?? [:]), holders \((try? db.command("HGETALL", "fs:{k}:holders").hash) ?? [:]), reaped \((try? reapedWorkers(db, sale: "k")) ?? [])")
        dead.process.kill9()
        let killedAt = Date()
        let heldAtKill = Int(try db.command("HGET", "fs:{k}:leases:a", "dead/0").string ?? "0") ?? 0
        // Its leases go back within the grace plus a reaper period (and some slack).
        XCTAssertTrue(waitUntil(timeoutSeconds: 6, pollMillis: 50) {
            (try? db.command("HEXISTS", "fs:{k}:leases:a", "dead/0").int) == 0
                && (try? self.reapedWorkers(db, sale: "k")) == ["dead/0"]
        }, "dead/0's lease (\(heldAtKill) units at the kill) was not reaped")
        let reapedAfter = Date().timeIntervalSince(killedAt)
        XCTAssertLessThan(reapedAfter, 1.5 + 1 + 2.5)
        XCTAssertEqual(try db.command("HEXISTS", "fs:{k}:holders", "dead/0").int, 0)
        stop.set()
        group.wait()

        // Late buyers at the live node: 201 until the stock is gone, then 409 sold_out; never 503.
        var late: [String] = []
        var statuses: [Int: Int] = [:]
        for index in 0..<3000 {
            guard let result = Self.buy(live.port, "k", user: "late-\(index)") else { continue }
            statuses[result.status, default: 0] += 1
            if result.status == 201, let id = result.json["order_id"] as? String { late.append(id) }
            if result.status == 409 { XCTAssertEqual(result.errorCode, "sold_out") }
            if statuses[409, default: 0] >= 20 { break }
        }
        XCTAssertEqual(Set(statuses.keys).subtracting([201, 409]), [], "late buyers got \(statuses)")
        XCTAssertGreaterThanOrEqual(statuses[409] ?? 0, 20, "the sale sells out: \(statuses)")

        let states = try RedisInvariants.check(db, sale: "k", limit: 1)
        let acknowledged = collectors[dead.port]!.all + collectors[live.port]!.all + late
        try RedisInvariants.assertRecorded(db, sale: "k", acknowledged)
        XCTAssertEqual(states.first?.reserved, 2000, "every unit sold, none stranded with the dead node")
        XCTAssertEqual(states.first?.pool, 0)
        XCTAssertEqual(states.first?.leased, 0)
        let view = try live.get("/v1/sales/k")
        XCTAssertEqual(view.json["state"] as? String, "sold_out", view.body)
        XCTAssertTrue(waitUntil(timeoutSeconds: 3, pollMillis: 100) {
            Self.sample("flashsale_leases_reaped_total", in: (try? live.get("/metrics").body) ?? "") == 1
        }, "the live node's reaper counted one reaped holder")
    }

    func testPausedNodeSellsNothingItNoLongerHolds() throws {
        // The paused node holds a lease of its own.
        let (redis, paused, other, collectors) = try twoNodesSelling("paused", "other", sale: "p", stock: 300)
        let db = try redis.client()
        XCTAssertGreaterThan(Int(try db.command("HGET", "fs:{p}:leases:a", "paused/0").string ?? "0") ?? 0, 0)
        paused.process.signal(SIGSTOP)
        defer { paused.process.signal(SIGCONT) }
        // Buyers on both nodes; the paused one's requests wait in its socket buffers.
        let stop = AtomicFlag()
        let group = Burst.start([paused.port, other.port], sale: "p", threads: 4, prefix: "q", stop: stop, into: collectors)
        XCTAssertTrue(waitUntil(timeoutSeconds: 8, pollMillis: 50) {
            (try? self.reapedWorkers(db, sale: "p")) == ["paused/0"]
        }, "the paused node was not reaped")
        XCTAssertEqual(try db.command("HEXISTS", "fs:{p}:leases:a", "paused/0").int, 0)
        let pausedBefore = collectors[paused.port]!.count
        paused.process.signal(SIGCONT)
        // Awake: it finds its flushes refused for lease, drops its slice, leases again and sells.
        XCTAssertTrue(waitUntil(timeoutSeconds: 15, pollMillis: 50) {
            collectors[paused.port]!.count > pausedBefore || ((try? RedisInvariants.read(db, sale: "p"))?.first?.reserved ?? 0) >= 300
        })
        stop.set()
        group.wait()

        let states = try RedisInvariants.check(db, sale: "p", limit: 1)
        let acknowledged = collectors[paused.port]!.all + collectors[other.port]!.all
        try RedisInvariants.assertRecorded(db, sale: "p", acknowledged)
        // Every 201 of either node is an order in Redis; nothing beyond the stock.
        XCTAssertLessThanOrEqual(acknowledged.count, Int(states.first?.reserved ?? 0))
        XCTAssertLessThanOrEqual(states.first?.reserved ?? 0, 300)
        let orders = try db.command("HLEN", "fs:{p}:orders").int ?? -1
        XCTAssertEqual(Int64(orders), states.first?.reserved, "every reserved unit is one order")
    }

    func testAckReplicatedWaitsForTheReplicaOncePerBatch() throws {
        let master = try RedisServerProcess()
        let replica = try RedisServerProcess(extraArgs: ["--replicaof", "127.0.0.1", String(master.port)])
        let db = try master.client()
        XCTAssertTrue(waitUntil(timeoutSeconds: 10, pollMillis: 50) {
            (try? db.command("INFO", "replication").string)?.contains("connected_slaves:1") ?? false
                && ((try? replica.client().command("INFO", "replication").string)?.contains("master_link_status:up") ?? false)
        })
        let engine = try EngineProcess(
            redis: master, arguments: ["--trust-user-header", "--ack", "replicated", "--ack-replicas", "1",
                                       "--ack-replica-timeout-ms", "300"], nodeID: "repl")
        XCTAssertEqual(try engine.putSale("r", Sales.body(stock: ["a": 1000], limit: 1)).status, 201)
        _ = try db.command("CONFIG", "RESETSTAT")

        let collectors = [engine.port: OrderCollector()]
        let stop = AtomicFlag()
        let group = Burst.start([engine.port], sale: "r", threads: 6, prefix: "c", stop: stop, into: collectors)
        XCTAssertTrue(waitUntil(timeoutSeconds: 20, pollMillis: 10) { collectors[engine.port]!.count >= 200 })
        stop.set()
        group.wait()
        let ok = collectors[engine.port]!.all
        try RedisInvariants.assertRecorded(try replica.client(), sale: "r", ok)
        let stats = try db.command("INFO", "commandstats").string ?? ""
        let waits = Self.calls(of: "wait", in: stats)
        XCTAssertGreaterThan(waits, 0)
        var flushes = 0
        XCTAssertTrue(waitUntil(timeoutSeconds: 3, pollMillis: 100) {
            flushes = Self.sample("flashsale_flushes_total", in: (try? engine.get("/metrics").body) ?? "")
            return flushes == waits
        }, "one WAIT per flush batch: \(waits) WAITs, \(flushes) flushes")
        XCTAssertLessThanOrEqual(waits, ok.count, "WAIT per batch, not per order")

        // The replica paused: purchases answer 503 within the WAIT timeout (plus slack).
        replica.pause()
        let started = Date()
        let refused = Self.buy(engine.port, "r", user: "while-paused", key: "k-1", timeout: 10)
        XCTAssertEqual(refused?.status, 503, refused?.body ?? "no answer")
        XCTAssertEqual(refused?.errorCode, "overloaded")
        XCTAssertNotNil(refused?.headers["retry-after"])
        XCTAssertLessThan(Date().timeIntervalSince(started), 3)
        XCTAssertTrue(waitUntil(timeoutSeconds: 3, pollMillis: 100) {
            Self.sample("flashsale_replica_waits_short_total", in: (try? engine.get("/metrics").body) ?? "") >= 1
        })
        replica.resume()
        // Outcome unknown, so the same Idempotency-Key returns the order once the replica is back.
        var retried: HTTPResult?
        XCTAssertTrue(waitUntil(timeoutSeconds: 10, pollMillis: 100) {
            retried = Self.buy(engine.port, "r", user: "while-paused", key: "k-1")
            return retried?.status == 201
        })
        let id = retried?.json["order_id"] as? String ?? ""
        XCTAssertTrue(try RedisInvariants.orderExists(db, sale: "r", id: id))
        XCTAssertEqual(Self.buy(engine.port, "r", user: "after-resume")?.status, 201)
        try RedisInvariants.check(db, sale: "r", limit: 1)
    }

    private static func calls(of command: String, in stats: String) -> Int {
        for line in stats.split(whereSeparator: \.isNewline) where line.hasPrefix("cmdstat_\(command):calls=") {
            return Int(line.dropFirst("cmdstat_\(command):calls=".count).prefix { $0.isNumber }) ?? -1
        }
        return 0
    }

    /// The sum of a family's samples.
    private static func sample(_ name: String, in metrics: String) -> Int {
        metrics.split(whereSeparator: \.isNewline).filter { $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ") }
            .compactMap { Int($0.split(separator: " ").last ?? "") }.reduce(0, +)
    }
}
