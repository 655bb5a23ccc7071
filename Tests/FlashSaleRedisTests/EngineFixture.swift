import FlashSaleCore
import FlashSaleLoop
import FlashSaleRedis
import Foundation
import TestSupport

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

/// One WorkerPersistence on its own loop thread.
final class EngineFixture: @unchecked Sendable {
    let fixture = LoopFixture()
    let engine: LoopOwned<WorkerPersistence?> = LoopOwned(nil)
    let core: ProcessCore

    init(core: ProcessCore, port: Int, nodeID: String = "node-a", workerIndex: Int = 0, tweak: (inout PersistenceConfiguration) -> Void = { _ in }) {
        self.core = core
        var configuration = PersistenceConfiguration(redis: testConfiguration(port: port), nodeID: nodeID, workerIndex: workerIndex)
        configuration.statsIntervalMillis = 200
        configuration.redis.commandTimeoutMillis = 2000
        tweak(&configuration)
        let box = engine
        let loop = fixture.loop
        let settings = configuration
        fixture.sync {
            let shard = WorkerShard(process: core, workerIndex: workerIndex)
            let engine = WorkerPersistence(loop: loop, shard: shard, configuration: settings)
            box.value = engine
            engine.start()
        }
    }

    func with<T>(_ body: @escaping (WorkerPersistence) -> T) -> T {
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

    func call<T>(_ body: @escaping (WorkerPersistence, @escaping (T) -> Void) -> Void) -> T? {
        let done = DispatchSemaphore(value: 0)
        let out = LoopOwned<T?>(nil)
        with { engine in body(engine) { out.value = $0; done.signal() } }
        guard done.wait(timeout: .now() + 10) == .success else { return nil }
        return out.value
    }

    func upsert(_ sale: SaleDefinition) -> Result<SaleUpsertOutcome, PersistenceError>? {
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
        with { engine in engine.client.close() }
        fixture.shutdown()
    }
}

func engineLiveSale(_ name: String = "s1", stock: Int64, limit: Int64 = 1, ttlSeconds: Int64 = 600, skus: [String] = ["sku1"]) -> SaleDefinition {
    let now = Int64(Date().timeIntervalSince1970 * 1000)
    return SaleDefinition(
        sale: name, startsAtMillis: now - 1000, endsAtMillis: now + 3_600_000, perUserLimit: limit,
        reservationTTLSeconds: ttlSeconds, items: skus.map { SaleDefinition.Item(sku: $0, stock: stock) })
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
