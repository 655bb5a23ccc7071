import FlashSaleCore
import FlashSaleLoop
import FlashSaleWorker

/// A worker's store on Redis: every ``WorkerStore`` protocol of the worker-engine layer,
/// on one ``RedisRouter`` (standalone Redis or Redis Cluster; the FlashSale scripts, the
/// documented keys of ``FlashSaleKeys``). Loop thread only, like its router.
///
/// On a cluster every per-sale command and script goes to the master of the sale's slot
/// (the slot of `{S}`, computed once per sale), each global key (`fs:sales`, `fs:audit`,
/// `fs:node:{id}`, `fs:schema`) to the master of its own slot. Its health is `up` only when
/// every master is connected and every slot has one.
public final class RedisWorkerStore {
    /// The Redis connection (its health is readable from other threads through
    /// ``RedisRouter/sharedHealth``).
    public let client: RedisRouter
    /// The slot of each sale's hash tag, computed once (Cluster mode only).
    private var saleSlots: [String: RedisSlot] = [:]
    /// Sale names remembered before the slot cache starts over (bounds it).
    private static let maxCachedSlots = 4096

    /// A store on a new router for `configuration` on `loop` (call on the loop thread);
    /// the FlashSale scripts are added to the ones every connection loads.
    public init(loop: EventLoop, configuration: RedisRouterConfiguration) {
        var redis = configuration
        for script in FlashSaleScripts.all where !redis.connection.scripts.contains(script) {
            redis.connection.scripts.append(script)
        }
        client = RedisRouter(loop: loop, configuration: redis)
    }

    /// A store on one standalone Redis (or one seed of a cluster) at `configuration.endpoint`.
    public convenience init(loop: EventLoop, configuration: RedisClientConfiguration) {
        self.init(loop: loop, configuration: RedisRouterConfiguration(seeds: [configuration.endpoint], connection: configuration))
    }

    /// The slot all of `sale`'s keys live in.
    func slot(ofSale sale: String) -> RedisSlot {
        if let slot = saleSlots[sale] { return slot }
        let slot = RedisSlot(key: FlashSaleKeys(sale: sale).saleHash)
        if saleSlots.count >= Self.maxCachedSlots { saleSlots.removeAll(keepingCapacity: true) }
        saleSlots[sale] = slot
        return slot
    }

    /// A reply read with `body`, or the Redis error as a ``StoreError``.
    static func read<T>(_ result: Result<RedisValue, RedisError>, _ body: (RedisValue) throws -> T) -> Result<T, StoreError> {
        switch result {
        case .failure(let error): return .failure(StoreError(error))
        case .success(let value):
            do { return .success(try body(value)) } catch { return .failure(.badReply("\(error)")) }
        }
    }
}

extension StoreError {
    /// The store error of a Redis error: a script or command error is a refusal (Redis
    /// decided); everything else is unavailability, run or not.
    init(_ error: RedisError) {
        switch error {
        case .server(let message): self = .refused(message)
        default: self = .unavailable(error.description, surelyNotRun: error.commandSurelyNotRun)
        }
    }
}

extension RedisWorkerStore: StoreConnection {
    public var health: StoreHealth { client.health }
    public var canAcceptCommand: Bool { client.canAcceptCommand }
    public var inFlight: Int { client.inFlight }
    public var onHealthChange: ((StoreHealth, String) -> Void)? {
        get { client.onHealthChange }
        set { client.onHealthChange = newValue }
    }
    public func start() { client.start() }
    public func close() { client.close() }
}

extension RedisWorkerStore: NodeStatsStore {
    public func publishStats(worker: String, fields: [(String, String)], ttlSeconds: Int) {
        let key = FlashSaleKeys.node(worker)
        client.send(["HSET", key] + fields.flatMap { [$0.0, $0.1] }) { _ in }
        client.send(["EXPIRE", key, String(ttlSeconds)]) { _ in }
    }
}

extension RedisWorkerStore: AuditStore {
    /// Approximate cap of `fs:audit` (`XADD … MAXLEN ~`).
    public static let auditMaxLength = 100_000

    public func appendAudit(_ fields: [(String, String)], completion: @escaping (StoreError?) -> Void) {
        let command = ["XADD", FlashSaleKeys.audit, "MAXLEN", "~", String(Self.auditMaxLength), "*"]
            + fields.flatMap { [$0.0, $0.1] }
        client.send(command) { result in
            if case .failure(let error) = result { return completion(StoreError(error)) }
            completion(nil)
        }
    }
}
