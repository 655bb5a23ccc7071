import FlashSaleCore
import FlashSaleHTTP
import FlashSaleLoop
import FlashSaleRedis
import Logging
import Synchronization
import FlashSaleWorker

/// The whole engine of one node: `workers` event loops, each with its HTTP listener
/// (SO_REUSEPORT), its core shard, its Redis store and worker engine, and its API; one
/// shared ``ProcessCore`` and one ``NodeBootstrap``.
///
/// Sendable: every stored property is immutable and itself thread-safe (the server,
/// the metrics cells, the keep-alive bag behind a mutex).
public final class FlashSaleEngine: Sendable {
    /// What it runs with.
    public let configuration: EngineConfiguration
    private let metrics: [WorkerMetrics]
    private let redisConfiguration: RedisRouterConfiguration
    private let server: HTTPServer
    /// Each worker's engine and API. Loop-confined objects hold one another `unowned`;
    /// this keeps them alive until the process ends (past the shutdown hooks, whose
    /// completions still reach them).
    private let keepAlive: KeepAliveBag
    private let logger: Logger

    /// Builds the engine (nothing runs until ``start()``). Throws on a bad Redis URL.
    public init(configuration: EngineConfiguration) throws(RedisError) {
        self.configuration = configuration
        var redis = try RedisRouterConfiguration(urls: configuration.redisURL)
        redis.connection.commandTimeoutMillis = configuration.redisTimeoutMillis
        if configuration.ackMode == .replicated {
            // The batch in flight may hold the connection for one `WAIT` timeout.
            let waits = WorkerEngineConfiguration.defaultMaxReplicatedBatchesInFlight * configuration.replicaWaitTimeoutMillis
            redis.connection.commandTimeoutMillis += UInt64(waits)
        }
        redisConfiguration = redis
        let metrics = (0..<max(1, configuration.http.workers)).map { WorkerMetrics(worker: $0) }
        self.metrics = metrics
        let keepAlive = KeepAliveBag()
        self.keepAlive = keepAlive
        let core = ProcessCore(configuration: CoreConfiguration(instance: Self.instance(of: configuration.api.nodeID)))
        let bootstrap = NodeBootstrap()
        let settings = configuration.api
        let ackMode = configuration.ackMode
        let ackTimeout = configuration.ackTimeoutMillis
        let perWorker = (
            replicas: configuration.ackReplicas, waitMillis: configuration.replicaWaitTimeoutMillis,
            graceMillis: configuration.leaseGraceMillis, flushesInFlight: configuration.flushesInFlight)
        let logger = Logger(label: "flashsale")
        self.logger = logger
        let redisEndpoint = redis.seedsDescription  // passwords redacted
        let openConnections = OpenConnectionsProbe()
        let readiness = NodeReadiness(workers: max(1, configuration.http.workers))
        server = HTTPServer(configuration: configuration.http) { context in
            let shard = WorkerShard(process: core, workerIndex: context.index)
            var engineSettings = WorkerEngineConfiguration(nodeID: settings.nodeID, workerIndex: context.index)
            engineSettings.ackMode = ackMode
            engineSettings.ackTimeoutMillis = ackTimeout
            engineSettings.ackReplicas = perWorker.replicas
            engineSettings.replicaWaitTimeoutMillis = perWorker.waitMillis
            engineSettings.leaseGraceMillis = perWorker.graceMillis
            engineSettings.maxBatchesInFlight = perWorker.flushesInFlight
            let store = RedisWorkerStore(loop: context.loop, configuration: redis)
            let engine = WorkerEngine(
                loop: context.loop, shard: shard, store: store, bootstrap: bootstrap, configuration: engineSettings)
            let healthLog = RedisHealthLog(logger: logger, worker: context.index, endpoint: redisEndpoint)
            let worker = context.index
            engine.onStoreHealthChange = { [unowned engine] health, error in
                healthLog.note(health, error: error)
                readiness.update(worker: worker, from: engine)
            }
            engine.onLeaseReaped = { sale, holder in
                logger.warning("lease reaped", metadata: [
                    "sale": "\(sale)", "holder": "\(holder.worker)", "units": "\(holder.units)", "worker": "\(context.index)",
                ])
            }
            let api = WorkerAPI(
                loop: context.loop, engine: engine, settings: settings, metrics: metrics[context.index],
                allMetrics: metrics, extraSamples: { openConnections.samples() }, readiness: readiness)
            // The loop thread starts after this closure returns: start on the loop.
            let box = LoopBound((engine, api), loop: context.loop)
            keepAlive.items.withLock { $0.append(box) }
            context.loop.execute {
                box.value.0.start()
                box.value.1.start()
            }
            context.onShutdown { done in
                box.value.1.stop()
                box.value.0.shutdown { done() }
            }
            return api.makeRouter()
        }
        openConnections.server.withLock { $0 = server }
    }

    /// The bound port (after ``start()``).
    public var port: Int { server.port }

    /// Binds the port on every worker and starts their loops.
    public func start() throws(TCPError) {
        try server.start()
        let settings = configuration.api
        logger.info("listening", metadata: [
            "host": "\(configuration.http.host)", "port": "\(server.port)", "workers": "\(configuration.http.workers)",
            "node": "\(settings.nodeID)", "ack": "\(configuration.ackMode.rawValue)", "redis": "\(redisConfiguration.seedsDescription)",
            "trust_user_header": "\(settings.trustUserHeader)",
            "trusted_proxies": "\(configuration.http.trustedProxies.networks.map(\.description).joined(separator: ","))",
            "proxy_protocol": "\(configuration.http.proxyProtocol)",
        ])
    }

    /// Blocks until SIGTERM/SIGINT, then shuts down gracefully: stops accepting,
    /// answers in-flight requests, flushes queued orders, hands leases back.
    public func runUntilSignalled() {
        server.runUntilSignalled()
        logger.info("stopped")
    }

    /// Begins a graceful shutdown (thread-safe).
    public func shutdown() {
        server.shutdown()
    }

    /// Waits until every worker has stopped.
    public func wait() {
        server.wait()
    }

    /// The core's 32-bit instance field of order ids, derived from the node id
    /// (stable across restarts; distinct nodes get distinct values with high probability).
    static func instance(of nodeID: String) -> UInt32 {
        var hash: UInt32 = 0x811C_9DC5
        for byte in nodeID.utf8 {
            hash ^= UInt32(byte)
            hash &*= 0x0100_0193
        }
        return hash
    }
}

/// Reads the server's open-connection count at scrape time.
final class OpenConnectionsProbe: Sendable {
    // Set once, right after the server is made (before any request can be scraped).
    let server = Mutex<HTTPServer?>(nil)

    func samples() -> [MetricsExposition.Sample] {
        guard let server = server.withLock({ $0 }) else { return [] }
        return [.init(name: "flashsale_open_connections", help: "Open client connections (all workers).",
                      value: Int64(server.openConnections))]
    }
}

/// Holds the per-worker objects for the life of the engine.
final class KeepAliveBag: Sendable {
    let items = Mutex<[LoopBound<(WorkerEngine, WorkerAPI)>]>([])
}
