import FlashSaleLoop
import FlashSaleServer
import Logging

/// Delivers jobs to one endpoint: keep-alive connections (at most `concurrency`, one
/// attempt each), one order's events one after another, retries on the schedule, the
/// circuit breaker. Owns its queues; every one is bounded by the relay's pending-event
/// bound (a job exists only for an event read and not yet finished). Loop thread only.
final class EndpointDeliverer {
    let endpoint: RelayEndpoint
    private let loop: EventLoop
    private let signer: WebhookSigner
    private let schedule: RetrySchedule
    private var breaker: CircuitBreaker
    private let head: [UInt8]
    private var random = SystemRandomNumberGenerator()
    private var scratch = JSONBuffer(capacity: 512)
    /// The request being sent (the connection copies what the kernel does not take at once).
    private var request: [UInt8] = []
    private let logger = Logger(label: "flashsale.relay")

    /// Order key → the jobs of that order waiting behind its active one (present while
    /// one of its jobs is ready, in flight or retrying).
    private var orders: [OrderKey: FIFO<DeliveryJob>] = [:]
    /// Jobs whose turn it is, due now.
    private var ready = FIFO<DeliveryJob>()
    /// Jobs waiting for their retry time.
    private var retrying: [DeliveryJob] = []
    private let retryTimer: LoopTimer
    private let breakerTimer: LoopTimer
    private var idle: [HTTPClientConnection] = []
    private var connections = 0
    private(set) var inFlight = 0
    private var stopping = false

    /// Told once per job: delivered or dead. Runs before the next job of its order starts.
    var onFinished: ((DeliveryJob, DeliveryOutcome) -> Void)?
    /// Told when the last in-flight attempt ends during shutdown.
    var onIdle: (() -> Void)?
    /// Counters for `/metrics`.
    private(set) var stats = EndpointStats()

    init(endpoint: RelayEndpoint, loop: EventLoop, configuration: RelayConfiguration) {
        self.endpoint = endpoint
        self.loop = loop
        signer = WebhookSigner(secrets: endpoint.secrets)
        schedule = RetrySchedule(delaysMillis: configuration.retryScheduleMillis)
        breaker = CircuitBreaker(failureThreshold: configuration.breakerFailures, openMillis: configuration.breakerOpenMillis)
        head = WebhookRequest.head(path: endpoint.url.path, host: endpoint.url.host, port: endpoint.url.port)
        retryTimer = LoopTimer(loop: loop)
        breakerTimer = LoopTimer(loop: loop)
    }

    /// The breaker's state (0 closed, 1 open, 2 half-open).
    var breakerState: CircuitBreaker.State { breaker.state }
    /// Times the breaker opened.
    var breakerOpenings: Int { breaker.opened }
    /// Jobs held (ready, waiting behind their order, retrying or in flight).
    var jobsHeld: Int { ready.count + retrying.count + inFlight + orders.values.reduce(0) { $0 + $1.count } }

    /// Takes a job: it starts when its order's earlier job has finished.
    func submit(_ job: DeliveryJob) {
        let key = job.orderKey
        if orders[key] != nil {
            orders[key]!.append(job)
        } else {
            orders[key] = FIFO()
            ready.append(job)
        }
        pump()
    }

    /// Starts what may start now.
    private func pump() {
        guard !stopping else { return }
        while inFlight < endpoint.concurrency, !ready.isEmpty {
            let now = loop.nowMillis
            guard breaker.admit(now: now) else {
                if let at = breaker.reopensAt, !breakerTimer.isActive {
                    breakerTimer.start(afterMillis: at > now ? at - now : 1) { [unowned self] in self.pump() }
                }
                return
            }
            attempt(ready.popFirst()!)
        }
    }

    private func attempt(_ job: DeliveryJob, freshConnection: Bool = false) {
        inFlight += 1
        job.attempts += 1
        let body = job.renderedBody(&scratch)
        let timestamp = EventLoop.wallClockMillis() / 1000
        WebhookRequest.write(into: &request, head: head, webhookID: job.event.webhookID, timestamp: timestamp,
                             signer: signer, body: body)
        let connection: HTTPClientConnection
        if !freshConnection, let reused = idle.popLast() {
            connection = reused
        } else {
            connection = HTTPClientConnection(loop: loop, url: endpoint.url)
            connection.onIdleClose = { [unowned self] closed in self.drop(closed) }
            connections += 1
        }
        connection.send(request, timeoutMillis: endpoint.timeoutMillis) { [unowned self] result in
            self.answered(job, connection, result)
        }
    }

    private func answered(_ job: DeliveryJob, _ connection: HTTPClientConnection, _ result: Result<Int, HTTPClientFailure>) {
        inFlight -= 1
        if connection.isClosed { drop(connection) } else if !stopping { idle.append(connection) } else { drop(connection) }
        switch result {
        case .success(let status) where (200...299).contains(status):
            stats.attempts[.success, default: 0] += 1
            if breaker.state != .closed { logger.info("breaker closed", metadata: ["endpoint": "\(endpoint.name)"]) }
            breaker.succeeded()
            job.lastStatus = status
            job.lastError = ""
            finish(job, .delivered)
        case .success(let status):
            stats.attempts[.httpError, default: 0] += 1
            failed(job, status: status, error: "HTTP \(status)")
        case .failure(.connection) where connection.failedStale && !job.staleRetried && !stopping:
            // The peer closed the idle connection as we reused it: once more on a new
            // connection, not counted as an attempt.
            job.staleRetried = true
            job.attempts -= 1
            stats.staleRetries += 1
            attempt(job, freshConnection: true)
            return
        case .failure(let failure):
            if case .timeout = failure { stats.attempts[.timeout, default: 0] += 1 } else {
                stats.attempts[.connectionError, default: 0] += 1
            }
            failed(job, status: 0, error: failure.description)
        }
        if stopping && inFlight == 0 { onIdle?() }
        pump()
    }

    private func failed(_ job: DeliveryJob, status: Int, error: String) {
        let wasOpen = breaker.state == .open
        breaker.failed(now: loop.nowMillis)
        if breaker.state == .open && !wasOpen {
            logger.warning("breaker open", metadata: ["endpoint": "\(endpoint.name)", "error": "\(error)"])
        }
        job.lastStatus = status
        job.lastError = error
        guard let delay = schedule.delay(afterAttempts: job.attempts, using: &random) else {
            return finish(job, .dead)
        }
        job.dueAtMillis = loop.nowMillis + delay
        retrying.append(job)
        armRetryTimer()
    }

    private func armRetryTimer() {
        guard !stopping, let next = retrying.min(by: { $0.dueAtMillis < $1.dueAtMillis })?.dueAtMillis else { return }
        let now = loop.nowMillis
        retryTimer.start(afterMillis: next > now ? next - now : 0) { [unowned self] in self.retryDue() }
    }

    private func retryDue() {
        let now = loop.nowMillis
        var waiting: [DeliveryJob] = []
        for job in retrying {
            if job.dueAtMillis <= now { ready.append(job) } else { waiting.append(job) }
        }
        retrying = waiting
        armRetryTimer()
        pump()
    }

    private func finish(_ job: DeliveryJob, _ outcome: DeliveryOutcome) {
        let key = job.orderKey
        if let next = orders[key]?.popFirst() {
            ready.append(next)
        } else {
            orders.removeValue(forKey: key)
        }
        stats.finished(outcome, attempts: job.attempts)
        onFinished?(job, outcome)
    }

    private func drop(_ connection: HTTPClientConnection) {
        idle.removeAll { $0 === connection }
        connection.onIdleClose = nil
        connection.close()
        connections -= 1
    }

    /// Counts an event this endpoint does not want (acknowledged without delivery).
    func skipped() { stats.skipped += 1 }

    /// Starts no more attempts; in-flight ones finish (``onIdle`` follows when the last
    /// ends, at once if none is in flight). Jobs not finished stay unacknowledged.
    func stop() {
        stopping = true
        retryTimer.stop()
        breakerTimer.stop()
        let open = idle
        idle.removeAll()
        for connection in open { drop(connection) }
        if inFlight == 0 { onIdle?() }
    }

    /// Releases the timers (after ``stop()``, when the loop is about to end).
    func close() {
        retryTimer.close()
        breakerTimer.close()
    }
}

/// One endpoint's counters.
struct EndpointStats {
    enum AttemptResult: String, CaseIterable { case success, httpError = "http_error", timeout, connectionError = "connection_error" }

    /// Attempts by result.
    var attempts: [AttemptResult: UInt64] = [:]
    var delivered: UInt64 = 0
    var dead: UInt64 = 0
    var skipped: UInt64 = 0
    /// Requests sent again on a new connection after a reused one turned out closed.
    var staleRetries: UInt64 = 0
    /// Attempts per finished job: bucket counts for ``attemptBounds`` and `+Inf`.
    var attemptBuckets = [UInt64](repeating: 0, count: EndpointStats.attemptBounds.count + 1)
    var attemptSum: UInt64 = 0

    static let attemptBounds: [UInt64] = [1, 2, 3, 4, 5, 7, 10, 15, 20]

    mutating func finished(_ outcome: DeliveryOutcome, attempts: Int) {
        switch outcome {
        case .delivered: delivered += 1
        case .dead: dead += 1
        }
        let index = Self.attemptBounds.firstIndex { UInt64(attempts) <= $0 } ?? Self.attemptBounds.count
        attemptBuckets[index] += 1
        attemptSum += UInt64(attempts)
    }
}
