import FlashSaleWorker

/// The routes `/metrics` counts requests by.
public enum MetricRoute: Int, CaseIterable, Sendable {
    case salePut, saleGet, stockChange, purchase, orderGet, orderCancel, orderPay, orderFulfil, healthz, readyz, metrics, other

    /// The `method` label value (`other` for requests that matched no route).
    public var method: StaticString {
        switch self {
        case .salePut: return "PUT"
        case .saleGet, .orderGet, .healthz, .readyz, .metrics: return "GET"
        case .stockChange, .purchase, .orderCancel, .orderPay, .orderFulfil: return "POST"
        case .other: return "other"
        }
    }

    /// The `route` label value: the path pattern the router matched.
    public var route: StaticString {
        switch self {
        case .salePut, .saleGet: return "/v1/sales/{sale}"
        case .stockChange: return "/v1/sales/{sale}/items/{sku}/stock"
        case .purchase: return "/v1/sales/{sale}/purchases"
        case .orderGet: return "/v1/orders/{order}"
        case .orderCancel: return "/v1/orders/{order}/cancel"
        case .orderPay: return "/v1/orders/{order}/pay"
        case .orderFulfil: return "/v1/orders/{order}/fulfil"
        case .healthz: return "/healthz"
        case .readyz: return "/readyz"
        case .metrics: return "/metrics"
        case .other: return "other"
        }
    }
}

/// The HTTP statuses `/metrics` counts separately (anything else is `other`).
enum MetricStatus {
    static let codes: [Int] = [200, 201, 400, 401, 403, 404, 405, 408, 409, 413, 415, 422, 429, 431, 500, 503]
    static let count = codes.count + 1

    @inline(__always)
    static func index(_ status: Int) -> Int {
        switch status {
        case 200: return 0
        case 201: return 1
        case 400: return 2
        case 401: return 3
        case 403: return 4
        case 404: return 5
        case 405: return 6
        case 408: return 7
        case 409: return 8
        case 413: return 9
        case 415: return 10
        case 422: return 11
        case 429: return 12
        case 431: return 13
        case 500: return 14
        case 503: return 15
        default: return 16
        }
    }
}

/// What became of one purchase request.
public enum PurchaseOutcome: Int, CaseIterable, Sendable {
    case created, replayed, soldOut, limitExceeded, saleNotStarted, saleEnded, saleNotFound, skuNotFound
    case idempotencyKeyReused, rateLimited, overloaded, badRequest, unauthorized, failed

    /// The `outcome` label value.
    public var label: StaticString {
        switch self {
        case .created: return "created"
        case .replayed: return "replayed"
        case .soldOut: return "sold_out"
        case .limitExceeded: return "limit_exceeded"
        case .saleNotStarted: return "sale_not_started"
        case .saleEnded: return "sale_ended"
        case .saleNotFound: return "sale_not_found"
        case .skuNotFound: return "sku_not_found"
        case .idempotencyKeyReused: return "idempotency_key_reused"
        case .rateLimited: return "rate_limited"
        case .overloaded: return "overloaded"
        case .badRequest: return "bad_request"
        case .unauthorized: return "unauthorized"
        case .failed: return "failed"
        }
    }
}

/// Point-in-time values a worker publishes (set, not added).
public enum WorkerGauge: Int, CaseIterable, Sendable {
    /// Purchases waiting for an answer: parked for a lease, or (`--ack
    /// persisted`) waiting for Redis to acknowledge their batch.
    case awaitingAnswer
    /// Redis commands sent and not yet answered.
    case redisInFlight
    /// Units leased to this worker and not yet sold (all SKUs).
    case leasedUnits
    /// Orders queued in the core and not yet acknowledged by Redis.
    case pendingOrders
    /// Purchases parked while a lease is in flight.
    case parkedPurchases
    /// 1 while this worker's Redis connection is up.
    case redisUp

    /// The metric name.
    public var name: StaticString {
        switch self {
        case .awaitingAnswer: return "flashsale_purchases_waiting"
        case .redisInFlight: return "flashsale_redis_in_flight"
        case .leasedUnits: return "flashsale_lease_units"
        case .pendingOrders: return "flashsale_pending_orders"
        case .parkedPurchases: return "flashsale_parked_purchases"
        case .redisUp: return "flashsale_redis_up"
        }
    }

    /// The `# HELP` text.
    public var help: StaticString {
        switch self {
        case .awaitingAnswer: return "Purchases waiting for a lease or for Redis to acknowledge their batch."
        case .redisInFlight: return "Redis commands sent and not yet answered."
        case .leasedUnits: return "Units leased to the worker and not yet sold."
        case .pendingOrders: return "Orders queued in the core and not yet acknowledged by Redis (bounded)."
        case .parkedPurchases: return "Purchases parked while a lease is in flight (bounded)."
        case .redisUp: return "1 while the worker's Redis connection is up, else 0."
        }
    }
}

/// Group-commit figures the persistence engine keeps per worker.
public enum FlushStat: Int, CaseIterable, Sendable {
    /// Flush calls made (cumulative).
    case flushes
    /// Orders Redis recorded (cumulative).
    case ordersPersisted
    /// Orders Redis refused at flush time (cumulative).
    case ordersRejected
    /// Flush calls that failed before Redis decided (cumulative; retried).
    case flushFailures
    /// Silent lease holders this worker's reaper reaped, and their units (cumulative).
    case holdersReaped
    case unitsReaped
    /// Heartbeats that found this worker reaped (cumulative).
    case holderLost
    /// `--ack replicated`: `WAIT` calls confirmed by enough replicas, and short (cumulative).
    case replicaWaitsConfirmed
    case replicaWaitsShort
}

/// The group-commit histograms a worker exports (cumulative since start).
public enum FlushHistogram: Int, CaseIterable, Sendable {
    /// Flush round trip, microseconds (exported in seconds).
    case durationMicros
    /// Orders per flush call.
    case batchOrders

    /// Upper bounds of the buckets.
    public var bounds: [UInt64] {
        switch self {
        case .durationMicros: return BucketHistogram.flushMicrosBounds
        case .batchOrders: return BucketHistogram.batchOrdersBounds
        }
    }

    /// Cells per histogram: one per bound, `+Inf`, sum, count.
    static var stride: Int { allCases.map { $0.bounds.count }.max()! + 3 }
}

/// Fixed histogram bounds.
enum MetricBuckets {
    /// Request latency upper bounds in microseconds (Prometheus `le` in seconds).
    static let latencyMicros: [UInt64] = [
        50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 500_000, 1_000_000, 2_500_000,
    ]
}
