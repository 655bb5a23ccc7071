import FlashSaleCore
import FlashSaleLoop
@testable import FlashSaleRedis
import FlashSaleWorker
import Foundation
import TestSupport
import XCTest

/// A RedisRouter living on a LoopFixture.
final class RouterFixture: @unchecked Sendable {
    let fixture = LoopFixture()
    let router: LoopOwned<RedisRouter?> = LoopOwned(nil)

    init(seeds: String, scripts: [RedisScript] = [], refreshIntervalMillis: UInt64 = 500) throws {
        var configuration = try RedisRouterConfiguration(urls: seeds, scripts: scripts)
        let template = testConfiguration(port: configuration.seeds[0].port, scripts: scripts)
        configuration.connection = template
        configuration.connection.commandTimeoutMillis = 2000
        configuration.refreshIntervalMillis = refreshIntervalMillis
        let box = router
        let loop = fixture.loop
        let settings = configuration
        fixture.sync {
            let router = RedisRouter(loop: loop, configuration: settings)
            box.value = router
            router.start()
        }
    }

    func with<T>(_ body: @escaping (RedisRouter) -> T) -> T {
        let box = router
        return fixture.sync { body(box.value!) }
    }

    var health: StoreHealth { router.value!.sharedHealth.value }

    func waitUp(_ file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(waitUntil(timeoutSeconds: 10) { health == .up }, "router not up: \(with { $0.lastError })", file: file, line: line)
    }

    /// Sends a command, waits for its completion.
    func call(_ arguments: [String], timeoutSeconds: Double = 8) -> Result<RedisValue, RedisError>? {
        let box = router
        return fixture.awaitValue(timeoutSeconds: timeoutSeconds) { done in box.value!.send(arguments, completion: done) }
    }

    func close() {
        with { $0.close() }
        fixture.shutdown()
    }
}

/// RedisRouter and RedisWorkerStore against a real local cluster (3 masters, 3 replicas),
/// one cluster shared by the suite.
final class RedisRouterClusterTests: XCTestCase {
    nonisolated(unsafe) private static var shared: RedisClusterProcess?

    private var cluster: RedisClusterProcess {
        get throws {
            if let cluster = Self.shared { return cluster }
            let cluster = try RedisClusterProcess()
            Self.shared = cluster
            return cluster
        }
    }

    override class func tearDown() {
        shared?.stop()
        shared = nil
        super.tearDown()
    }

    func testDetectsClusterAndRoutesEachCommandToItsMaster() throws {
        let cluster = try cluster
        let router = try RouterFixture(seeds: cluster.seedList)
        defer { router.close() }
        router.waitUp()
        XCTAssertEqual(router.with { $0.mode }, .cluster)
        XCTAssertEqual(router.with { $0.clients.count }, 3)
        // Keys over every master, each written straight to its own master.
        let keys = (0..<60).map { "route:\($0)" }
        for key in keys { XCTAssertEqual(try router.call(["SET", key, "v-\(key)"])?.get(), .status("OK")) }
        XCTAssertEqual(router.with { $0.counters.moved }, 0, "the map sent every key to its master")
        var mastersUsed = Set<Int>()
        for key in keys {
            let port = try cluster.masterPort(of: key)
            mastersUsed.insert(port)
            XCTAssertEqual(try cluster.client(port: port).command("GET", key), .bulk("v-\(key)"))
        }
        XCTAssertEqual(mastersUsed.count, 3)
        // Keyless commands go to any master; every-master commands reach all three.
        XCTAssertEqual(try router.call(["PING"])?.get(), .status("PONG"))
        let box = router.router
        let sizes = try XCTUnwrap(router.fixture.awaitValue { done in box.value!.sendToEveryMaster(["DBSIZE"], completion: done) })
        XCTAssertEqual(sizes.count, 3)
        XCTAssertEqual(sizes.compactMap { try? $0.get().int }.reduce(0, +), try Int64(keysTotal(cluster)))
    }

    func testScriptsRunOnTheMasterOfTheirHashTag() throws {
        let cluster = try cluster
        let script = RedisScript(name: "cluster_incr_pair", source: """
            redis.call('INCRBY', KEYS[1], ARGV[1]); return redis.call('INCRBY', KEYS[2], ARGV[1])
            """)
        let router = try RouterFixture(seeds: cluster.servers[4].url, scripts: [script])  // a replica as the seed
        defer { router.close() }
        router.waitUp()
        for tag in ["alpha", "beta", "gamma", "delta"] {
            let box = router.router
            let result = router.fixture.awaitValue { done in
                box.value!.evalScript(script, keys: ["sc:{\(tag)}:a", "sc:{\(tag)}:b"], args: ["3"], completion: done)
            }
            XCTAssertEqual(try result?.get(), .integer(3), tag)
            XCTAssertEqual(try cluster.client(port: cluster.masterPort(of: "sc:{\(tag)}:a")).command("GET", "sc:{\(tag)}:a"), .bulk("3"))
        }
        XCTAssertEqual(router.with { $0.counters.moved }, 0)
        XCTAssertEqual(router.with { $0.clients.map { $0.counters.noscriptFallbacks }.reduce(0, +) }, 0,
                       "the script was loaded on every master connection")
    }

    func testMovedAfterASlotMovedIsFollowedAndTheMapRefreshed() throws {
        let cluster = try cluster
        // No periodic refresh during the test: moving a slot can take longer than the
        // fixture's 500 ms, and a refresh in between would leave no MOVED to follow.
        let router = try RouterFixture(seeds: cluster.seedList, refreshIntervalMillis: 600_000)
        defer { router.close() }
        router.waitUp()
        let key = "moving:{m1}"
        XCTAssertEqual(try router.call(["SET", key, "before"])?.get(), .status("OK"))
        let slot = try cluster.slot(of: key)
        let source = try cluster.masterPort(of: key)
        let target = try cluster.masters().map(\.port).first { $0 != source }!
        // The router's map names the source and no refresh is under way (one asked for at
        // start can still be running on a loaded machine): only a MOVED can now tell it
        // the slot moved.
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) {
            router.with { router in
                !router.refreshing && !router.refreshSoonTimer.isActive
                    && router.slotMap.master(of: RedisSlot(slot)!).map { router.slotMap.masters[$0].port } == source
            }
        })
        try cluster.moveSlot(slot, to: target)
        // The router still maps the slot to the old master: MOVED, followed.
        XCTAssertEqual(try router.call(["GET", key])?.get(), .bulk("before"))
        XCTAssertEqual(try router.call(["SET", key, "after"])?.get(), .status("OK"))
        XCTAssertEqual(try cluster.client(port: target).command("GET", key), .bulk("after"))
        XCTAssertGreaterThanOrEqual(router.with { $0.counters.moved }, 1)
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) {
            router.with { router in
                router.slotMap.master(of: RedisSlot(slot)!).map { router.slotMap.masters[$0].port } == target
            }
        })
        let movedSoFar = router.with { $0.counters.moved }
        XCTAssertEqual(try router.call(["GET", key])?.get(), .bulk("after"))
        XCTAssertEqual(router.with { $0.counters.moved }, movedSoFar, "no MOVED once the map knows")
    }

    func testAskDuringAMigrationGoesToTheImportingNode() throws {
        let cluster = try cluster
        let router = try RouterFixture(seeds: cluster.seedList)
        defer { router.close() }
        router.waitUp()
        let moved = "ask:{a1}:moved", stays = "ask:{a1}:stays"
        XCTAssertEqual(try router.call(["SET", moved, "m"])?.get(), .status("OK"))
        XCTAssertEqual(try router.call(["SET", stays, "s"])?.get(), .status("OK"))
        let slot = try cluster.slot(of: moved)
        let source = try cluster.masterPort(of: moved)
        let target = try cluster.masters().map(\.port).first { $0 != source }!
        try cluster.moveSlot(slot, to: target) {
            // Mid-migration: one key already on the target, one still on the source.
            let reply = try cluster.client(port: source).command("MIGRATE", "127.0.0.1", String(target), moved, "0", "5000")
            XCTAssertEqual(reply, .status("OK"))
            XCTAssertEqual(try router.call(["GET", moved])?.get(), .bulk("m"), "ASK followed")
            XCTAssertEqual(try router.call(["GET", stays])?.get(), .bulk("s"), "still served by the source")
            XCTAssertGreaterThanOrEqual(router.with { $0.counters.asked }, 1)
            XCTAssertEqual(router.with { $0.counters.moved }, 0, "ASK does not change the map")
        }
        XCTAssertEqual(try router.call(["GET", stays])?.get(), .bulk("s"))
    }

    func testFailoverMidStreamCompletesEveryCommandOnceAndRecovers() throws {
        let cluster = try cluster
        let router = try RouterFixture(seeds: cluster.seedList)
        defer { router.close() }
        router.waitUp()
        let key = "failover:{f1}"
        let master = try cluster.masterPort(of: key)
        let log = CompletionLog()
        let sent = LoopOwned(0)
        // A stream of INCRs, 1 every ms, for the whole failover.
        let stop = LoopOwned(false)
        router.with { router in
            let timer = LoopTimer(loop: router.loop)
            timer.start(afterMillis: 1, repeatMillis: 1) {
                if stop.value { timer.close(); return }
                sent.value += 1
                let tag = sent.value
                router.send(["INCR", key]) { log.record(tag, $0) }
            }
        }
        usleep(200_000)
        let newMaster = try cluster.failover(master: master)
        usleep(300_000)
        router.with { _ in stop.value = true }
        let total = router.with { _ in sent.value }
        XCTAssertTrue(waitUntil(timeoutSeconds: 10) { log.count == total }, "\(log.count) of \(total) completed")
        let results = log.snapshot
        XCTAssertTrue(results.values.allSatisfy { $0.count == 1 }, "each completion ran exactly once")
        let succeeded = results.values.filter { (try? $0[0].get()) != nil }.count
        let mayHaveRun = results.values.filter {
            if case .failure(let error) = $0[0] { return !error.commandSurelyNotRun } else { return false }
        }.count
        let value = Int(try cluster.client(port: newMaster).command("GET", key).int ?? 0)
        XCTAssertGreaterThanOrEqual(value, succeeded)
        XCTAssertLessThanOrEqual(value, succeeded + mayHaveRun, "no command ran twice")
        XCTAssertGreaterThan(succeeded, total / 2, "the stream went on through the failover")
        XCTAssertGreaterThanOrEqual(router.with { $0.counters.moved }, 1, "the old master's MOVED was followed")
        // The router follows the new master and keeps serving.
        XCTAssertTrue(waitUntil(timeoutSeconds: 10) {
            router.with { router in router.clients.contains { $0.configuration.endpoint.port == newMaster } }
        })
        router.waitUp()
        XCTAssertEqual(try router.call(["INCR", key])?.get(), .integer(Int64(value + 1)))
    }

    func testWorkerStoreKeepsEachSaleAndEachGlobalKeyInItsOwnSlot() throws {
        let cluster = try cluster
        let ports = try cluster.masters().map(\.port)
        let saleA = try cluster.sale(onMaster: ports[0], prefix: "ca"), saleB = try cluster.sale(onMaster: ports[1], prefix: "cb")
        let fixture = LoopFixture()
        defer { fixture.shutdown() }
        let store = LoopOwned<RedisWorkerStore?>(nil)
        let seeds = cluster.seedList
        fixture.sync {
            var configuration = try! RedisRouterConfiguration(urls: seeds)
            configuration.connection = testConfiguration(port: configuration.seeds[0].port)
            configuration.connection.commandTimeoutMillis = 2000
            store.value = RedisWorkerStore(loop: fixture.loop, configuration: configuration)
            store.value!.start()
        }
        defer { fixture.sync { store.value!.close() } }
        XCTAssertTrue(waitUntil(timeoutSeconds: 10) { fixture.sync { store.value!.health } == .up })
        func wait<T>(_ start: @escaping (RedisWorkerStore, @escaping (T) -> Void) -> Void) -> T {
            fixture.awaitValue { done in start(store.value!, done) }!
        }
        for sale in [saleA, saleB] {
            let config = SaleConfig(name: sale, startsAtMillis: 4_000_000_000_000, endsAtMillis: 4_000_000_100_000,
                                    perUserLimit: 2, reservationTTLMillis: 60_000, items: [SaleItem(sku: "A", stock: 5)])
            let outcome = wait { store, done in store.upsertSale(config, nowMillis: 1_000, completion: done) }
            XCTAssertEqual(try outcome.get(), .created, "no CROSSSLOT: \(outcome)")
        }
        XCTAssertEqual(try cluster.client(port: ports[0]).command("HGET", "fs:{\(saleA)}:sale", "id"), .bulk(saleA))
        XCTAssertEqual(try cluster.client(port: ports[1]).command("HGET", "fs:{\(saleB)}:sale", "id"), .bulk(saleB))
        XCTAssertEqual(try cluster.client(port: cluster.masterPort(of: "fs:schema")).command("GET", "fs:schema"), .bulk(String(FlashSaleKeys.schemaVersion)))
        let loaded = wait { store, done in store.loadSales(changedFrom: [:], completion: done) }
        XCTAssertEqual(Set(try loaded.get().sales.map(\.config.name)).isSuperset(of: [saleA, saleB]), true)
        XCTAssertTrue(try loaded.get().complete)
        let lease = wait { store, done in store.lease(sale: saleB, sku: "A", worker: "n/0", want: 2, completion: done) }
        XCTAssertNoThrow(try lease.get())
        XCTAssertEqual(try cluster.client(port: ports[1]).command("HGET", "fs:{\(saleB)}:leases:A", "n/0"), .bulk("2"))
        let audit = wait { store, done in store.appendAudit([("action", "test")], completion: done) }
        XCTAssertNil(audit)
        fixture.sync { store.value!.publishStats(worker: "cl/0", fields: [("reserved", "1")], ttlSeconds: 30) }
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) {
            (try? cluster.client(port: cluster.masterPort(of: "fs:node:cl/0")).command("HGET", "fs:node:cl/0", "reserved")) == .bulk("1")
        })
    }

    func testTheNextSeedIsTriedWhenTheFirstDoesNotAnswer() throws {
        let cluster = try cluster
        let router = try RouterFixture(seeds: "redis://127.0.0.1:\(freeLoopbackPort())," + cluster.servers[1].url)
        defer { router.close() }
        router.waitUp()
        XCTAssertEqual(router.with { $0.mode }, .cluster)
        XCTAssertEqual(try router.call(["SET", "seeded", "1"])?.get(), .status("OK"))
    }

    private func keysTotal(_ cluster: RedisClusterProcess) throws -> Int {
        try cluster.masters().map { Int(try cluster.client(port: $0.port).command("DBSIZE").int ?? 0) }.reduce(0, +)
    }
}

/// RedisRouter on standalone Redis: detected, one client, no routing.
final class RedisRouterStandaloneTests: XCTestCase {
    func testStandaloneIsDetectedAndServedByOneClient() throws {
        let redis = try RedisServerProcess()
        let router = try RouterFixture(seeds: redis.url)
        defer { router.close() }
        router.waitUp()
        XCTAssertEqual(router.with { $0.mode }, .standalone)
        XCTAssertEqual(router.with { $0.clients.count }, 1)
        XCTAssertEqual(try router.call(["SET", "k", "1"])?.get(), .status("OK"))
        XCTAssertEqual(try redis.client().command("GET", "k"), .bulk("1"))
        XCTAssertEqual(router.with { $0.counters.refreshes }, 0)
    }

    func testASeedListOfStandaloneServersIsRefused() throws {
        let first = try RedisServerProcess(), second = try RedisServerProcess()
        let router = try RouterFixture(seeds: "\(first.url),\(second.url)")
        defer { router.close() }
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { router.with { $0.lastError.contains("not a Redis Cluster node") } },
                      router.with { $0.lastError })
        XCTAssertEqual(router.health, .down)
        XCTAssertEqual(router.call(["PING"]).map { result -> Bool in
            if case .failure(.notConnected) = result { return true } else { return false }
        }, true)
    }
}
