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
    private let redis: RedisClientConfiguration
    private var server: HTTPServer?
    // Loop-confined objects live as long as the process (shutdown hooks still reach them).
    private var keepAlive: LoopConfined<DashboardLoop>?

    /// Checks the Redis URLs (throws on a bad one; messages never carry a password).
    public init(configuration: DashboardConfiguration) throws(RedisError) {
        guard let first = configuration.redisURLs.first else { throw RedisError.invalidURL("no Redis URL given") }
        for url in configuration.redisURLs.dropFirst() { _ = try RedisEndpoint(url: url) }
        var redis = try RedisClientConfiguration(url: first)
        redis.commandTimeoutMillis = 2000
        redis.maxInFlight = 100_000
        self.redis = redis
        self.configuration = configuration
    }

    /// The Redis endpoint read (password redacted).
    public var redisEndpoint: String { "\(redis.endpoint)" }

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
        var confined: LoopConfined<DashboardLoop>?
        let server = HTTPServer(configuration: http) { context in
            let dashboard = DashboardLoop(loop: context.loop, configuration: configuration, redis: redis)
            let box = LoopConfined(dashboard)
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

/// Carries a loop-confined object to code that runs on its loop.
struct LoopConfined<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// Everything on the dashboard's loop: the Redis client, the reader, the
/// state, the open event streams and the routes.
final class DashboardLoop {
    let loop: EventLoop
    let configuration: DashboardConfiguration
    let client: RedisClient
    let reader: RedisReader
    let state: DashboardState
    private let timer: LoopTimer
    private var streams: [(stream: HTTPStream, query: DashboardQuery)] = []

    init(loop: EventLoop, configuration: DashboardConfiguration, redis: RedisClientConfiguration) {
        self.loop = loop
        self.configuration = configuration
        client = RedisClient(loop: loop, configuration: redis)
        reader = RedisReader(client: client, maxSales: configuration.maxSales, rescanMillis: configuration.rescanMillis)
        state = DashboardState(historyLength: max(1, configuration.historySeconds * 1000 / Int(max(1, configuration.refreshMillis))))
        timer = LoopTimer(loop: loop)
    }

    func start() {
        client.onHealthChange = { [unowned self] health, _ in
            // Read at once when Redis comes back, instead of waiting for the next tick.
            if health == .up { self.tick() }
        }
        client.start()
        timer.start(afterMillis: configuration.refreshMillis, repeatMillis: configuration.refreshMillis) { [unowned self] in
            self.tick()
        }
    }

    func stop() {
        timer.close()
        for entry in streams { entry.stream.finish() }
        streams.removeAll()
        client.close()
    }

    /// One read of Redis, then one event to every open stream.
    private func tick() {
        guard client.health == .up else {
            state.recordFailure(.notConnected(client.lastError))
            push()
            return
        }
        reader.read { [unowned self] result in
            switch result {
            case .success(let reading):
                state.record(reading, wallMillis: Int64(EventLoop.wallClockMillis()), salesNotRead: reader.salesNotRead)
            case .failure(let error):
                state.recordFailure(error)
            }
            push()
        }
    }

    private func push() {
        let now = Int64(EventLoop.wallClockMillis())
        streams.removeAll { !$0.stream.isOpen }
        for entry in streams {
            let json = DashboardJSON.render(state, entry.query, wallMillis: now)
            entry.stream.write("data: " + json + "\n\n")
        }
    }

    func makeRouter() -> HTTPRouter {
        let router = HTTPRouter()
        router.get("/") { [unowned self] request, responder in
            guard let query = self.query(request, responder) else { return }
            let json = DashboardJSON.render(state, query, wallMillis: Int64(EventLoop.wallClockMillis()))
            responder.respond(.ok, contentType: HTTPContentType("text/html; charset=utf-8"),
                              text: DashboardPage.render(snapshot: json)) { headers in
                headers.add("Cache-Control", "no-store")
            }
        }
        router.get("/api/snapshot") { [unowned self] request, responder in
            guard let query = self.query(request, responder) else { return }
            responder.respond(.ok, text: DashboardJSON.render(state, query, wallMillis: Int64(EventLoop.wallClockMillis()))) { headers in
                headers.add("Cache-Control", "no-store")
            }
        }
        router.get("/api/events") { [unowned self] request, responder in
            guard let query = self.query(request, responder) else { return }
            streams.removeAll { !$0.stream.isOpen }
            guard streams.count < configuration.maxStreams else {
                return responder.respondError(.serviceUnavailable, code: "too_many_streams",
                                              message: "too many open event streams; retry later") { $0.add("Retry-After", "5") }
            }
            guard let stream = responder.startStream(.ok, contentType: HTTPContentType("text/event-stream"), headers: { headers in
                headers.add("Cache-Control", "no-store")
            }) else {
                return responder.respondError(.badRequest, code: "not_streamable",
                                              message: "an event stream must be the only request on its connection")
            }
            // The first event at once; then one per read. `retry`: reconnect after 1 s.
            stream.write("retry: 1000\ndata: " + DashboardJSON.render(state, query, wallMillis: Int64(EventLoop.wallClockMillis())) + "\n\n")
            streams.append((stream, query))
        }
        router.get("/metrics") { [unowned self] _, responder in
            responder.respond(.ok, contentType: .prometheus, text: DashboardMetrics.render(state))
        }
        router.get("/healthz") { _, responder in
            responder.respond(.ok, body: #"{"status":"ok"}"#)
        }
        return router
    }

    /// The parsed query, or nil after answering 400.
    private func query(_ request: HTTPRequest, _ responder: HTTPResponder) -> DashboardQuery? {
        do {
            return try DashboardQuery.parse(request.query.string)
        } catch {
            responder.respondError(.badRequest, code: error.code, message: error.message)
            return nil
        }
    }
}
