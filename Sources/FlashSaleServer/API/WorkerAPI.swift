import FlashSaleCore
import FlashSaleHTTP
import FlashSaleLoop
import FlashSaleWorker
import Logging

/// The API of one worker: its router, its persistence engine, its metrics and
/// rate limiters. Lives on the worker's loop thread and is touched only there
/// (except `metrics`, whose cells other threads read at scrape time).
public final class WorkerAPI {
    let loop: EventLoop
    let engine: WorkerEngine
    let settings: APISettings
    /// This worker's metrics.
    public let metrics: WorkerMetrics
    /// Every worker's metrics (index = worker), merged by `/metrics`.
    let allMetrics: [WorkerMetrics]
    /// Extra samples rendered by `/metrics` (process-wide figures such as open connections).
    let extraSamples: @Sendable () -> [MetricsExposition.Sample]
    let verifier: JWTVerifier
    let adminSecret: BearerSecret
    let paymentSecret: BearerSecret
    let fulfilmentSecret: BearerSecret
    let userLimiter: TokenBucketTable
    let addressLimiter: TokenBucketTable
    let logger: Logger
    /// The node's readiness (every worker's slot); this worker publishes its own.
    let readiness: NodeReadiness
    /// Reused for every JSON answer of this worker: no allocation per answer once warm.
    var json = JSONBuffer(capacity: 1024)
    /// The constant bodies of the core's refusals.
    let refusalBodies = RefusalBodies()
    private let gaugeTimer: LoopTimer

    /// Creates the API of worker `metrics.worker` on `loop` (call on the loop's thread).
    public init(
        loop: EventLoop, engine: WorkerEngine, settings: APISettings, metrics: WorkerMetrics,
        allMetrics: [WorkerMetrics], extraSamples: @escaping @Sendable () -> [MetricsExposition.Sample] = { [] },
        readiness: NodeReadiness? = nil
    ) {
        self.readiness = readiness ?? NodeReadiness(workers: metrics.worker + 1)
        self.loop = loop
        self.engine = engine
        self.settings = settings
        self.metrics = metrics
        self.allMetrics = allMetrics
        self.extraSamples = extraSamples
        verifier = JWTVerifier(secret: settings.jwtSecret, leewaySeconds: settings.jwtLeewaySeconds)
        adminSecret = BearerSecret(settings.adminToken)
        paymentSecret = BearerSecret(settings.paymentToken)
        fulfilmentSecret = BearerSecret(settings.fulfilmentToken)
        userLimiter = TokenBucketTable(policy: settings.userRateLimit, capacity: settings.rateLimitTableSize)
        addressLimiter = TokenBucketTable(policy: settings.addressRateLimit, capacity: settings.rateLimitTableSize)
        var logger = Logger(label: "flashsale.api")
        logger[metadataKey: "worker"] = "\(metrics.worker)"
        self.logger = logger
        gaugeTimer = LoopTimer(loop: loop)
    }

    /// Starts publishing gauges (every 250 ms; cheap reads of loop-local state).
    public func start() {
        publishGauges()
        gaugeTimer.start(afterMillis: 250, repeatMillis: 250) { [unowned self] in self.publishGauges() }
    }

    /// Publishes this worker's readiness now (on the loop thread; also every 250 ms).
    public func publishReadiness() {
        readiness.update(worker: metrics.worker, from: engine)
    }

    /// Stops the gauge timer and marks the worker shutting down (at shutdown, on the loop thread).
    public func stop() {
        readiness.shutDown(worker: metrics.worker)
        gaugeTimer.close()
    }

    /// The routes of the API, for this worker's HTTP server.
    public func makeRouter() -> HTTPRouter {
        let router = HTTPRouter()
        // Each route's metrics label is recorded as it is added; the router reports every
        // answer (the server's own 404/405/408/413/431/400 too) to one observer.
        var labels: [MetricRoute] = []
        func add(_ label: MetricRoute, _ index: Int) {
            precondition(index == labels.count, "routes are numbered in the order they are added")
            labels.append(label)
        }
        add(.salePut, router.put("/v1/sales/{sale}", requiresJSON: true) { [unowned self] in self.putSale($0, $1) })
        add(.saleGet, router.get("/v1/sales/{sale}") { [unowned self] in self.getSale($0, $1) })
        add(.purchase, router.post("/v1/sales/{sale}/purchases", requiresJSON: true) { [unowned self] in self.purchase($0, $1) })
        // After the purchase route: the router tries patterns in this order, and a purchase
        // should not pay for matching the admin's rare routes first.
        add(.stockChange, router.post("/v1/sales/{sale}/items/{sku}/stock", requiresJSON: true) { [unowned self] in
            self.changeStock($0, $1)
        })
        add(.orderGet, router.get("/v1/orders/{order}") { [unowned self] in self.getOrder($0, $1) })
        add(.orderCancel, router.post("/v1/orders/{order}/cancel") { [unowned self] in self.cancelOrder($0, $1) })
        add(.orderPay, router.post("/v1/orders/{order}/pay") { [unowned self] in self.payOrder($0, $1) })
        add(.orderFulfil, router.post("/v1/orders/{order}/fulfil", requiresJSON: true) { [unowned self] in self.fulfilOrder($0, $1) })
        add(.healthz, router.get("/healthz") { [unowned self] in self.health($0, $1) })
        add(.readyz, router.get("/readyz") { [unowned self] in self.ready($0, $1) })
        add(.metrics, router.get("/metrics") { [unowned self] in self.renderMetrics($0, $1) })
        let metrics = self.metrics
        router.onAnswer = { [labels] route, status, nanoseconds in
            let label = route.map { labels[$0] } ?? .other
            metrics.countRequest(label, status: status.code)
            if nanoseconds > 0 { metrics.observeLatency(label, nanoseconds: nanoseconds) }
        }
        return router
    }

    private func publishGauges() {
        publishReadiness()
        metrics.set(.awaitingAnswer, engine.waitingPurchases)
        metrics.set(.redisInFlight, engine.store.inFlight)
        metrics.set(.leasedUnits, engine.unitsInSlices)
        metrics.set(.pendingOrders, engine.shard.pendingOrderCount)
        metrics.set(.parkedPurchases, engine.shard.parkedCount)
        metrics.set(.redisUp, engine.health == .up ? 1 : 0)
        let summary = engine.groupCommitSummary
        let stats = engine.stats
        metrics.setFlushStats([
            .flushes: UInt64(max(0, stats.flushes)),
            .ordersPersisted: UInt64(max(0, stats.ordersPersisted)),
            .ordersRejected: UInt64(max(0, stats.ordersRejectedByRedis)),
            .flushFailures: UInt64(max(0, stats.flushFailures)),
            .holdersReaped: UInt64(max(0, stats.holdersReaped)),
            .unitsReaped: UInt64(max(0, stats.unitsReaped)),
            .holderLost: UInt64(max(0, stats.holderLost)),
            .replicaWaitsConfirmed: UInt64(max(0, stats.replicaWaitsConfirmed)),
            .replicaWaitsShort: UInt64(max(0, stats.replicaWaitsShort)),
        ])
        metrics.setFlushHistogram(.durationMicros, summary.flushDurations)
        metrics.setFlushHistogram(.batchOrders, summary.batchSizes)
    }
}
