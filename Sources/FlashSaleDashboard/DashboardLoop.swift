import FlashSaleHTTP
import FlashSaleLoop
import FlashSaleRedis

/// Everything on the dashboard's loop: the Redis client, the reader, the
/// state, the open event streams and the routes.
final class DashboardLoop {
    private let configuration: DashboardConfiguration
    private let client: RedisRouter
    private let reader: RedisReader
    private let state: DashboardState
    private let timer: LoopTimer
    private var streams: [(stream: HTTPStream, query: DashboardQuery)] = []

    init(loop: EventLoop, configuration: DashboardConfiguration, redis: RedisRouterConfiguration) {
        self.configuration = configuration
        client = RedisRouter(loop: loop, configuration: redis)
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
