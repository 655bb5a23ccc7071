import FlashSaleCore
import FlashSaleLoop
import FlashSaleRedis
import Foundation
import TestSupport
import FlashSaleWorker

/// Thread-safe record of purchase answers.
final class AnswerLog: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var answers: [(user: String, decision: PurchaseDecision)] = []

    func record(_ user: String, _ decision: PurchaseDecision) {
        lock.lock(); defer { lock.unlock() }
        answers.append((user, decision))
    }

    var count: Int { lock.lock(); defer { lock.unlock() }; return answers.count }

    var snapshot: [(user: String, decision: PurchaseDecision)] {
        lock.lock(); defer { lock.unlock() }
        return answers
    }

    var reservedOrders: [ReservedOrder] {
        snapshot.compactMap { if case .reserved(let order) = $0.decision { return order } else { return nil } }
    }

    func count(where predicate: (PurchaseDecision) -> Bool) -> Int { snapshot.filter { predicate($0.decision) }.count }
}

/// One WorkerEngine on a RedisWorkerStore, on its own loop thread.
final class EngineFixture: @unchecked Sendable {
    let fixture = LoopFixture()
    let engine: LoopOwned<WorkerEngine?> = LoopOwned(nil)
    let core: ProcessCore

    /// One bootstrap per core: the workers of one simulated node share it.
    private static let bootstraps = NSLock()
    nonisolated(unsafe) private static var bootstrapByCore: [ObjectIdentifier: (ProcessCore, NodeBootstrap)] = [:]

    static func bootstrap(of core: ProcessCore) -> NodeBootstrap {
        bootstraps.lock(); defer { bootstraps.unlock() }
        if let (known, bootstrap) = bootstrapByCore[ObjectIdentifier(core)], known === core { return bootstrap }
        let bootstrap = NodeBootstrap()
        bootstrapByCore[ObjectIdentifier(core)] = (core, bootstrap)
        return bootstrap
    }

    init(core: ProcessCore, port: Int, nodeID: String = "node-a", workerIndex: Int = 0,
         tweak: (inout WorkerEngineConfiguration) -> Void = { _ in },
         redisTweak: (inout RedisClientConfiguration) -> Void = { _ in }) {
        self.core = core
        var configuration = WorkerEngineConfiguration(nodeID: nodeID, workerIndex: workerIndex)
        configuration.statsIntervalMillis = 200
        var redis = testConfiguration(port: port)
        redis.commandTimeoutMillis = 2000
        redisTweak(&redis)
        tweak(&configuration)
        let box = engine
        let loop = fixture.loop
        let settings = configuration
        let redisSettings = redis
        let bootstrap = Self.bootstrap(of: core)
        fixture.sync {
            let shard = WorkerShard(process: core, workerIndex: workerIndex)
            let store = RedisWorkerStore(loop: loop, configuration: redisSettings)
            let engine = WorkerEngine(loop: loop, shard: shard, store: store, bootstrap: bootstrap, configuration: settings)
            box.value = engine
            engine.start()
        }
    }

    func with<T>(_ body: @escaping (WorkerEngine) -> T) -> T {
        let box = engine
        return fixture.sync { body(box.value!) }
    }

    var isReady: Bool { with { $0.isReady } }
    var stats: PersistenceStats { with { $0.stats } }

    /// Submits purchases in one loop turn.
    func buy(_ users: [String], sale: String = "s1", sku: String = "sku1", qty: Int = 1, key: String? = nil, log: AnswerLog) {
        with { engine in
            for user in users {
                engine.purchase(sale: sale, sku: sku, user: user, qty: qty, idempotencyKey: key) { log.record(user, $0) }
            }
        }
    }

    func call<T>(_ body: @escaping (WorkerEngine, @escaping (T) -> Void) -> Void) -> T? {
        let done = DispatchSemaphore(value: 0)
        let out = LoopOwned<T?>(nil)
        with { engine in body(engine) { out.value = $0; done.signal() } }
        guard done.wait(timeout: .now() + 10) == .success else { return nil }
        return out.value
    }

    func upsert(_ sale: SaleConfig) -> Result<SaleUpsertOutcome, StoreError>? {
        call { engine, done in engine.upsertSale(sale) { done($0) } }
    }

    /// Graceful shutdown (flush, hand leases back), then the loop stops.
    func shutdown() {
        let done = DispatchSemaphore(value: 0)
        with { engine in engine.shutdown { done.signal() } }
        _ = done.wait(timeout: .now() + 15)
        fixture.shutdown()
    }

    /// A crash as far as Redis can tell: the connection drops, nothing is flushed or returned.
    func crash() {
        with { engine in engine.store.close() }
        fixture.shutdown()
    }
}

func engineLiveSale(_ name: String = "s1", stock: Int, limit: Int = 1, ttlSeconds: Int64 = 600, skus: [String] = ["sku1"]) -> SaleConfig {
    let now = Int64(Date().timeIntervalSince1970 * 1000)
    return SaleConfig(
        name: name, startsAtMillis: now - 1000, endsAtMillis: now + 3_600_000, perUserLimit: limit,
        reservationTTLMillis: ttlSeconds * 1000, items: skus.map { SaleItem(sku: $0, stock: stock) })
}

func engineNewCore() -> ProcessCore {
    ProcessCore(configuration: CoreConfiguration(instance: UInt32.random(in: 1...UInt32.max)))
}

/// Reads every counter of a sale atomically (the audit script) with a blocking client.
func engineAudit(_ redis: RedisServerProcess, sale: String = "s1") throws -> [SKUAudit] {
    try engineAudit(port: redis.port, sale: sale)
}

func engineAudit(port: Int, sale: String = "s1") throws -> [SKUAudit] {
    let call = FlashSaleScripts.auditCall(sale: sale)
    let reply = try BlockingRedis(port: port).eval(call.script.source, keys: call.keys, args: call.arguments)
    return try SKUAudit.parse(reply.asEngineRedisValue)
}

extension RESP {
    var asEngineRedisValue: RedisValue {
        switch self {
        case .null: return .null
        case .status(let s): return .status(s)
        case .error(let s): return .error(s)
        case .integer(let i): return .integer(i)
        case .bulk(let s): return .bulk(s)
        case .array(let items): return .array(items.map(\.asEngineRedisValue))
        }
    }
}
