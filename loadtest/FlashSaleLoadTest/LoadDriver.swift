import FlashSaleLoop
import FlashSaleRedis

/// Runs one scenario on one event loop: schedules requests, hands them to
/// idle connections, records every answer. Loop thread only (see ``LoadRun``).
final class LoadDriver {
    let loop: EventLoop
    let configuration: DriverConfiguration
    let writer: RequestWriter
    let stats: RunStats
    private(set) var evidence: EvidenceCollector
    private var connections: [DriverConnection] = []
    private var ready: [DriverConnection] = []
    private var arrivals: [Job]
    private var nextArrival = 0
    /// Follow-up jobs, bounded by the scenario's size.
    private var followUps = FIFO<Job>()
    private var inFlight = 0
    private var startNanos: UInt64 = 0
    private var started = false
    private var finished = false
    private var notSent = 0
    private var lastProgressNanos: UInt64 = 0
    private var lastProgressCompleted = 0
    private var lastTimeoutScanNanos: UInt64 = 0
    private var reconnectDue: [DriverConnection] = []
    private var tick: LoopTimer?
    private let benchNanos: UInt64
    private let isBench: Bool
    private let timeoutNanos: UInt64
    private let maxRunNanos: UInt64
    private let progressNanos: UInt64
    private var onProgress: ((RunProgress) -> Void)?
    private var onFinish: ((RunSummary, DriverEvidence, Int) -> Void)?

    init(loop: EventLoop, configuration: DriverConfiguration, tokens: PackedStrings?) {
        self.loop = loop
        self.configuration = configuration
        writer = RequestWriter(configuration: configuration, tokens: tokens)
        arrivals = ArrivalSchedule.make(configuration.scenario)
        let arrivalNanos = UInt64(configuration.scenario.arrivalSeconds * 1e9)
        let bucket: UInt64 = arrivalNanos <= 30_000_000_000 ? 100_000_000 : max(100_000_000, arrivalNanos / 300 / 100_000_000 * 100_000_000)
        stats = RunStats(bucketNanos: bucket, expectedNanos: arrivalNanos + 5_000_000_000)
        evidence = EvidenceCollector(users: configuration.scenario.userCount, quantity: configuration.quantity,
                                     sku: configuration.sku, writer: writer, keyPrefix: configuration.keyPrefix)
        if case .httpBench(_, let seconds) = configuration.scenario {
            isBench = true
            benchNanos = UInt64(seconds * 1e9)
        } else {
            isBench = false
            benchNanos = 0
        }
        timeoutNanos = UInt64(configuration.requestTimeoutSeconds * 1e9)
        maxRunNanos = UInt64(configuration.maxRunSeconds * 1e9)
        progressNanos = UInt64(configuration.progressIntervalSeconds * 1e9)
    }

    /// Nanoseconds since the run started.
    var now: UInt64 { EventLoop.monotonicNanos() &- startNanos }

    /// Opens the connections; the clock starts once all are up (or after
    /// `connectWaitSeconds`, with those that made it).
    func start(
        connectWaitSeconds: Double = 10,
        progress: ((RunProgress) -> Void)?,
        finish: @escaping (RunSummary, DriverEvidence, Int) -> Void
    ) {
        onProgress = progress
        onFinish = finish
        startNanos = EventLoop.monotonicNanos()
        for _ in 0..<max(1, configuration.connections) {
            let connection = DriverConnection(driver: self)
            connections.append(connection)
            connection.connect()
        }
        let timer = LoopTimer(loop: loop)
        tick = timer
        let connectDeadline = EventLoop.monotonicNanos() + UInt64(connectWaitSeconds * 1e9)
        timer.start(afterMillis: 1, repeatMillis: 1) { [unowned self] in
            if started {
                onTick()
                return
            }
            reconnectDueConnections()
            let up = connections.count { $0.tcp != nil }
            let connecting = connections.contains { $0.connecting }
            if up == connections.count || (up > 0 && !connecting) {
                beginClock()
            } else if EventLoop.monotonicNanos() >= connectDeadline {
                if up > 0 {
                    beginClock()
                } else {
                    // Nothing to talk to: end at once, every request unsent.
                    started = true
                    notSent = arrivals.count
                    nextArrival = arrivals.count
                    finishRun(0)
                }
            }
        }
    }

    private func beginClock() {
        started = true
        startNanos = EventLoop.monotonicNanos()
        lastProgressNanos = 0
        pump()
    }

    private func onTick() {
        let now = self.now
        reconnectDueConnections()
        pump()
        if now &- lastTimeoutScanNanos >= 50_000_000 {
            lastTimeoutScanNanos = now
            for connection in connections {
                // sentNanos may be a little later than this tick's `now` (sent during this tick's pump).
                if connection.job != nil && now > connection.sentNanos && now - connection.sentNanos > timeoutNanos {
                    connection.fail(reason: .timeout)
                }
            }
        }
        if progressNanos > 0 && now &- lastProgressNanos >= progressNanos {
            reportProgress(now)
        }
        checkDone(now)
    }

    private func reportProgress(_ now: UInt64) {
        let interval = Double(now &- lastProgressNanos) / 1e9
        let completed = stats.completed
        let progress = RunProgress(
            elapsedSeconds: Double(now) / 1e9, sent: stats.sent, completed: completed,
            requestsPerSecond: interval > 0 ? Double(completed - lastProgressCompleted) / interval : 0,
            p99Ms: stats.takeIntervalP99Millis(), unitsSold: stats.unitsSold,
            openConnections: connections.filter { $0.tcp != nil }.count)
        lastProgressNanos = now
        lastProgressCompleted = completed
        onProgress?(progress)
    }

    /// Hands due requests to ready connections.
    private func pump() {
        guard started, !finished else { return }
        let now = self.now
        while let connection = ready.popLast() {
            guard connection.isReady else { continue }
            guard let job = nextJob(now) else {
                ready.append(connection)
                return
            }
            inFlight += 1
            connection.send(job, now: now)
        }
    }

    private func nextJob(_ now: UInt64) -> Job? {
        if let job = followUps.popFirst() { return job }
        if nextArrival < arrivals.count && arrivals[nextArrival].intendedNanos <= now {
            nextArrival += 1
            return arrivals[nextArrival - 1]
        }
        if isBench && now < benchNanos {
            return Job(intendedNanos: now, user: 0, keyOrdinal: 0, kind: .get, step: .bench)
        }
        return nil
    }

    private var allDispatched: Bool {
        nextArrival == arrivals.count && followUps.isEmpty && (!isBench || now >= benchNanos)
    }

    private func checkDone(_ now: UInt64) {
        guard started, !finished else { return }
        if allDispatched && inFlight == 0 {
            finishRun(now)
        } else if now >= maxRunNanos {
            for connection in connections where connection.job != nil { connection.fail(reason: .timeout) }
            notSent = arrivals.count - nextArrival + followUps.count
            finishRun(now)
        }
    }

    private func finishRun(_ now: UInt64) {
        finished = true
        if progressNanos > 0 { reportProgress(now) }
        tick?.close()
        tick = nil
        for connection in connections { connection.shutdown() }
        let summary = stats.summary(durationNanos: now)
        onFinish?(summary, evidence.evidence(), notSent)
        onFinish = nil
        onProgress = nil
    }

    // MARK: Called by connections

    func connectionBecameReady(_ connection: DriverConnection) {
        guard !finished else {
            connection.shutdown()
            return
        }
        ready.append(connection)
        pump()
    }

    func connectionFailed(_ connection: DriverConnection, error: TCPError) {
        guard !finished else { return }
        scheduleReconnect(connection)
    }

    func connectionClosed(_ connection: DriverConnection) {
        guard !finished else { return }
        scheduleReconnect(connection)
    }

    private func scheduleReconnect(_ connection: DriverConnection) {
        guard connection.failedConnects > 0 else {
            reconnectDue.append(connection)
            return
        }
        // Back off after failed connects: 10 ms, 20 ms, … up to 1 s.
        let delay = UInt64(min(1000, 10 << min(connection.failedConnects - 1, 7)))
        let timer = LoopTimer(loop: loop)
        timer.start(afterMillis: delay) { [unowned self, unowned timer] in
            timer.close()
            if !finished { reconnectDue.append(connection) }
        }
    }

    private func reconnectDueConnections() {
        guard !reconnectDue.isEmpty else { return }
        let due = reconnectDue
        reconnectDue.removeAll(keepingCapacity: true)
        for connection in due where !finished { connection.connect() }
    }

    func recordAnswer(_ job: Job, status: Int, body: UnsafeRawBufferPointer, sentNanos: UInt64) {
        inFlight -= 1
        let now = self.now
        let code: ErrorCode = status >= 400 ? ResponseBodyScan.errorCode(in: body) : .none
        stats.recordAnswer(kind: job.kind, status: status, code: code,
                           intendedNanos: job.intendedNanos, sentNanos: sentNanos, nowNanos: now)
        switch job.kind {
        case .purchase:
            let outcome = OutcomeClass.classify(status: status, code: code)
            if status == 201, let orderID = ResponseBodyScan.orderID(in: body) {
                let first = evidence.noteCreated(user: Int(job.user), ordinal: Int(job.keyOrdinal), orderID: orderID)
                if first { stats.noteUnitsSold(configuration.quantity, nowNanos: now) }
                if first && job.keyOrdinal == 0, case .lifecycle(_, _, let pay, let cancel) = configuration.scenario,
                    let next = UserTraits.followUp(Int(job.user), payShare: pay, cancelShare: cancel)
                {
                    followUps.append(Job(intendedNanos: now, user: job.user, keyOrdinal: 0, kind: next, step: .followUp))
                }
            } else if code == .api(.soldOut) {
                evidence.soldOutAnswers += 1
            }
            if outcome == .unknown { evidence.unknownPurchases += 1 }
            chainAfterPurchase(job, now: now)
        case .pay:
            if status == 200 { evidence.noteStatus(user: Int(job.user), status: "paid") }
        case .cancel:
            if status == 200 {
                evidence.noteStatus(user: Int(job.user), status: "cancelled")
                stats.noteUnitsSold(-configuration.quantity, nowNanos: now)
            }
        case .get:
            break
        }
    }

    func recordUnknown(_ job: Job, reason: UnknownReason, sentNanos: UInt64) {
        inFlight -= 1
        let now = self.now
        stats.recordUnknown(kind: job.kind, reason: reason, intendedNanos: job.intendedNanos, sentNanos: sentNanos, nowNanos: now)
        if job.kind == .purchase {
            evidence.unknownPurchases += 1
            chainAfterPurchase(job, now: now)
        }
    }

    /// Retries (same key) and greedy second purchases (new key) follow the first answer.
    private func chainAfterPurchase(_ job: Job, now: UInt64) {
        guard case .burst(_, _, let retryShare, let greedyShare) = configuration.scenario else { return }
        let user = Int(job.user)
        if job.step == .first && UserTraits.retries(user, share: retryShare) {
            followUps.append(Job(intendedNanos: now, user: job.user, keyOrdinal: 0, kind: .purchase, step: .retry))
        } else if (job.step == .first || job.step == .retry) && UserTraits.greedy(user, share: greedyShare) {
            evidence.unitsAsked += configuration.quantity
            followUps.append(Job(intendedNanos: now, user: job.user, keyOrdinal: 1, kind: .purchase, step: .greedy))
        }
    }

    /// The order id of `user`'s first acknowledged order (for pay and cancel).
    func orderID(ofUser user: Int) -> String { evidence.orderID(ofUser: user) ?? "missing" }
}
