import FlashSaleLoop
import Synchronization

/// What a worker's router factory gets: the worker's loop (create
/// loop-bound things such as a Redis connection on it) and its index.
public final class HTTPWorkerContext {
    /// The worker's event loop. Everything built here lives on it.
    public let loop: EventLoop
    /// 0-based worker number.
    public let index: Int
    unowned let worker: HTTPWorker

    init(loop: EventLoop, index: Int, worker: HTTPWorker) {
        self.loop = loop
        self.index = index
        self.worker = worker
    }

    /// Registers work to run on this loop at graceful shutdown, after the
    /// HTTP connections are done (e.g. flush pending Redis writes). Call
    /// `done` when finished; the loop stops when every hook is done or the
    /// grace period ends.
    public func onShutdown(_ hook: @escaping (_ done: @escaping () -> Void) -> Void) {
        worker.shutdownHooks.append(hook)
    }
}

/// An HTTP/1.1 server: `workers` threads, each with its own event loop and
/// listener on the same port (SO_REUSEPORT).
///
/// ```swift
/// let server = HTTPServer(configuration: config) { context in
///     let router = HTTPRouter()
///     router.get("/healthz") { _, responder in responder.respond(.ok, body: #"{"status":"ok"}"#) }
///     return router
/// }
/// try server.start()
/// server.runUntilSignalled()   // SIGTERM/SIGINT -> graceful shutdown
/// ```
public final class HTTPServer: @unchecked Sendable {
    /// The configuration it runs with.
    public let configuration: HTTPServerConfiguration
    private let makeRouter: (HTTPWorkerContext) -> HTTPRouter
    private let counter = ConnectionCounter()
    private let state = Mutex<ServerState>(ServerState())

    // Workers are only used on their own loop (through `execute`); the lock guards the lists.
    private struct ServerState: @unchecked Sendable {
        var loops: [EventLoop] = []
        var workers: [HTTPWorker] = []
        var port = 0
        var started = false
        var shuttingDown = false
    }

    /// `makeRouter` runs once per worker, on the thread calling ``start()``,
    /// before that worker's loop thread starts.
    public init(configuration: HTTPServerConfiguration, makeRouter: @escaping (HTTPWorkerContext) -> HTTPRouter) {
        self.configuration = configuration
        self.makeRouter = makeRouter
    }

    /// The bound port (after ``start()``; useful with port 0).
    public var port: Int { state.withLock { $0.port } }

    /// Open connections right now, across workers.
    public var openConnections: Int { counter.open.load(ordering: .relaxed) }

    /// Binds every worker's listener and starts their threads. Throws if
    /// the address cannot be bound (nothing keeps running then).
    public func start() throws(TCPError) {
        SignalWatcher.ignoreSIGPIPE()
        precondition(!state.withLock { $0.started }, "HTTPServer.start called twice")
        var loops: [EventLoop] = []
        var workers: [HTTPWorker] = []
        var port = configuration.port
        let count = max(1, configuration.workers)
        do {
            for index in 0..<count {
                let loop = EventLoop()
                let worker = HTTPWorker(loop: loop, configuration: configuration, counter: counter)
                loops.append(loop)
                workers.append(worker)
                let listener = try TCPListener(
                    loop: loop, host: configuration.host, port: port, reusePort: true,
                    backlog: configuration.backlog
                ) { [unowned worker] tcp in worker.accept(tcp) }
                port = listener.localPort
                worker.listener = listener
                worker.install(router: makeRouter(HTTPWorkerContext(loop: loop, index: index, worker: worker)))
            }
        } catch {
            // Never-run loops: run each once so its handles close, then drop it.
            for loop in loops {
                loop.stop()
                loop.run()
            }
            throw error
        }
        state.withLock {
            $0.loops = loops
            $0.workers = workers
            $0.port = port
            $0.started = true
        }
        for loop in loops { loop.runOnNewThread() }
    }

    /// Begins a graceful shutdown (thread-safe, idempotent): stop
    /// accepting, finish in-flight requests, close everything after
    /// `graceMillis` (default: the configuration's), then stop the loops.
    public func shutdown(graceMillis: UInt64? = nil) {
        let grace = graceMillis ?? configuration.shutdownGraceMillis
        let pairs: [(EventLoop, HTTPWorker)] = state.withLock { s in
            guard s.started, !s.shuttingDown else { return [] }
            s.shuttingDown = true
            return Array(zip(s.loops, s.workers))
        }
        for (loop, worker) in pairs {
            let box = LoopBound(worker, loop: loop)
            loop.execute { box.value.beginDraining(graceMillis: grace) }
        }
    }

    /// Waits until every worker thread has finished.
    public func wait() {
        for loop in state.withLock({ $0.loops }) { loop.join() }
    }

    /// Blocks until SIGTERM or SIGINT, shuts down gracefully and returns
    /// when every worker has stopped.
    public func runUntilSignalled() {
        let signals = EventLoop()
        var watchers: [SignalWatcher] = []
        let onSignal: (Int32) -> Void = { [self] _ in
            shutdown()
            for watcher in watchers { watcher.close() }
            signals.stop()
        }
        watchers.append(SignalWatcher(loop: signals, signal: SignalWatcher.sigterm, onSignal))
        watchers.append(SignalWatcher(loop: signals, signal: SignalWatcher.sigint, onSignal))
        signals.run()
        wait()
    }
}

