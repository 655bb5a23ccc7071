import FlashSaleHTTP
import FlashSaleLoop
import FlashSaleRedis

/// `flashsale relay`: one loop running the relay, its Redis connection, its webhook
/// connections and its `/metrics` (+ `/healthz`) server. SIGTERM/SIGINT stop it
/// gracefully (``runUntilSignalled()``).
public final class RelayService {
    /// What it runs with.
    public let configuration: RelayConfiguration
    private let redis: RedisRouterConfiguration
    private var server: HTTPServer?
    private var keepAlive: LoopBound<Relay>?

    /// Checks the Redis URLs (throws on a bad one; messages never carry a password).
    public init(configuration: RelayConfiguration) throws(RedisError) {
        redis = try RedisRouterConfiguration(urls: configuration.redisURLs, commandTimeoutMillis: 5000, maxInFlight: 100_000)
        self.configuration = configuration
    }

    /// The Redis endpoint used (password redacted).
    public var redisEndpoint: String { redis.seedsDescription }

    /// The bound metrics port (after ``start()``).
    public var metricsPort: Int { server?.port ?? configuration.metricsPort }

    /// Binds the metrics port and starts the loop and the relay.
    public func start() throws(TCPError) {
        var http = HTTPServerConfiguration()
        http.host = configuration.metricsHost
        http.port = configuration.metricsPort
        http.workers = 1
        http.maxConnections = 64
        http.shutdownGraceMillis = configuration.shutdownGraceMillis
        let configuration = self.configuration
        let redis = self.redis
        var confined: LoopBound<Relay>?
        let server = HTTPServer(configuration: http) { context in
            let relay = Relay(loop: context.loop, configuration: configuration, redis: redis)
            let box = LoopBound(relay, loop: context.loop)
            confined = box
            context.loop.execute { box.value.start() }
            context.onShutdown { done in box.value.stop(done) }
            let router = HTTPRouter()
            router.get("/metrics") { _, responder in
                responder.respond(.ok, contentType: .prometheus, text: box.value.renderMetrics())
            }
            router.get("/healthz") { _, responder in
                responder.respond(.ok, body: #"{"status":"ok"}"#)
            }
            return router
        }
        try server.start()
        keepAlive = confined
        self.server = server
    }

    /// Blocks until SIGTERM/SIGINT, then stops gracefully.
    public func runUntilSignalled() { server?.runUntilSignalled() }
}
