import FlashSaleHTTP
import FlashSaleLoop
import FlashSaleRedis
import FlashSaleServer

/// `flashsale dashboard`: a read-only process that serves one page, its JSON
/// and Server-Sent-Events feed and its `/metrics`, from what Redis holds.
/// One HTTP worker; its loop also runs the Redis client and the once-a-second read.
public final class DashboardServer {
    /// What it runs with.
    public let configuration: DashboardConfiguration
    private let redis: RedisRouterConfiguration
    private var server: HTTPServer?
    // Loop-confined objects live as long as the process (shutdown hooks still reach them).
    private var keepAlive: LoopBound<DashboardLoop>?

    /// Checks the Redis URLs (throws on a bad one; messages never carry a password).
    public init(configuration: DashboardConfiguration) throws(RedisError) {
        redis = try RedisRouterConfiguration(urls: configuration.redisURLs, commandTimeoutMillis: 2000, maxInFlight: 100_000)
        self.configuration = configuration
    }

    /// The Redis endpoint read (password redacted).
    public var redisEndpoint: String { redis.seedsDescription }

    /// The bound port (after ``start()``).
    public var port: Int { server?.port ?? configuration.port }

    /// Binds the port and starts the loop.
    public func start() throws(TCPError) {
        var http = HTTPServerConfiguration()
        http.host = configuration.host
        http.port = configuration.port
        http.workers = 1
        http.maxConnections = 1000
        http.shutdownGraceMillis = 1000  // open event streams end at shutdown
        let configuration = self.configuration
        let redis = self.redis
        var confined: LoopBound<DashboardLoop>?
        let server = HTTPServer(configuration: http) { context in
            let dashboard = DashboardLoop(loop: context.loop, configuration: configuration, redis: redis)
            let box = LoopBound(dashboard, loop: context.loop)
            confined = box
            context.loop.execute { box.value.start() }
            context.onShutdown { done in box.value.stop(); done() }
            return dashboard.makeRouter()
        }
        try server.start()
        keepAlive = confined
        self.server = server
    }

    /// Blocks until SIGTERM/SIGINT, then stops.
    public func runUntilSignalled() { server?.runUntilSignalled() }

    /// Begins shutting down.
    public func shutdown() { server?.shutdown() }

    /// Waits until the loop has stopped.
    public func wait() { server?.wait() }
}
