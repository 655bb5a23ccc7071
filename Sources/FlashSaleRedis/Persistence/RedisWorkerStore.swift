import FlashSaleCore
import FlashSaleLoop
import FlashSaleWorker

/// A worker's store on Redis: every ``WorkerStore`` protocol of the worker-engine layer,
/// on one ``RedisClient`` (the FlashSale scripts, the documented keys of
/// ``FlashSaleKeys``). Loop thread only, like its client.
public final class RedisWorkerStore {
    /// The Redis connection (its health is readable from other threads through
    /// ``RedisClient/sharedHealth``).
    public let client: RedisClient

    /// A store on a new client for `configuration` on `loop` (call on the loop thread);
    /// the FlashSale scripts are added to the ones the client loads.
    public init(loop: EventLoop, configuration: RedisClientConfiguration) {
        var redis = configuration
        for script in FlashSaleScripts.all where !redis.scripts.contains(script) {
            redis.scripts.append(script)
        }
        client = RedisClient(loop: loop, configuration: redis)
    }

    /// A reply read with `body`, or the Redis error as a ``StoreError``.
    static func read<T>(_ result: Result<RedisValue, RedisError>, _ body: (RedisValue) throws -> T) -> Result<T, StoreError> {
        switch result {
        case .failure(let error): return .failure(StoreError(error))
        case .success(let value):
            do { return .success(try body(value)) } catch { return .failure(.badReply("\(error)")) }
        }
    }

    /// The fields of a hash reply (`HGETALL`).
    static func hashFields(_ value: RedisValue) -> [String: String] {
        let items = value.elements
        var fields: [String: String] = [:]
        var index = 0
        while index + 1 < items.count {
            if let key = items[index].string, let text = items[index + 1].string { fields[key] = text }
            index += 2
        }
        return fields
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
