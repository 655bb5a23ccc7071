/// Renders the engine's `/metrics` in the Prometheus text exposition format
/// (version 0.0.4), merging every worker's cells at scrape time. Every
/// family is listed in `docs/metrics.md`.
public enum MetricsExposition {
    /// The `Content-Type` of the rendered text.
    public static let contentType = PrometheusText.contentType

    /// One extra gauge sample supplied by the caller (e.g. per-SKU state).
    public struct Sample: Sendable {
        public var name: String
        public var help: String
        public var labels: [(String, String)]
        public var value: Int64

        /// Creates a sample.
        public init(name: String, help: String, labels: [(String, String)] = [], value: Int64) {
            self.name = name
            self.help = help
            self.labels = labels
            self.value = value
        }
    }

    /// The whole exposition for `workers`, followed by `extra` gauges, the
    /// build info and the process metrics.
    public static func render(workers: [WorkerMetrics], extra: [Sample] = []) -> String {
        var out = PrometheusText()

        out.family("flashsale_http_requests_total", help: "HTTP requests answered, by method, route and status.", type: "counter")
        for route in MetricRoute.allCases {
            for statusIndex in 0..<MetricStatus.count {
                let total = workers.reduce(UInt64(0)) { $0 &+ $1.requestCell(route: route.rawValue, statusIndex: statusIndex) }
                guard total > 0 else { continue }
                let status = statusIndex < MetricStatus.codes.count ? String(MetricStatus.codes[statusIndex]) : "other"
                out.sample("flashsale_http_requests_total", labels(route) + [("status", status)], String(total))
            }
        }

        out.family("flashsale_purchases_total", help: "Purchase requests by outcome.", type: "counter")
        for outcome in PurchaseOutcome.allCases {
            let total = workers.reduce(UInt64(0)) { $0 &+ $1.purchases(outcome) }
            out.sample("flashsale_purchases_total", [("outcome", "\(outcome.label)")], String(total))
        }

        out.family("flashsale_http_request_duration_seconds", help: "Time from request parsed to answer queued.", type: "histogram")
        let bounds = MetricBuckets.latencyMicros
        for route in MetricRoute.allCases {
            var cells = [UInt64](repeating: 0, count: bounds.count + 3)
            for worker in workers {
                for (index, value) in worker.latencyCells(route: route.rawValue).enumerated() { cells[index] &+= value }
            }
            guard cells[bounds.count + 2] > 0 else { continue }
            out.histogram("flashsale_http_request_duration_seconds", labels(route), bounds: bounds,
                          counts: cells[0...bounds.count], sum: cells[bounds.count + 1], format: PrometheusText.seconds(micros:))
        }

        let flushCounters: [(FlushStat, String, String)] = [
            (.flushes, "flashsale_flushes_total", "Group-commit flush calls to Redis."),
            (.ordersPersisted, "flashsale_orders_persisted_total", "Orders recorded in Redis by flushes."),
            (.ordersRejected, "flashsale_orders_rejected_by_redis_total", "Orders Redis refused at flush time."),
            (.flushFailures, "flashsale_flush_failures_total", "Flush calls that failed before Redis decided (retried)."),
            (.holdersReaped, "flashsale_leases_reaped_total", "Silent lease holders (any node's) this worker's reaper reaped."),
            (.unitsReaped, "flashsale_lease_units_reaped_total", "Units of reaped leases returned to the pools by this worker's reaper."),
            (.holderLost, "flashsale_lease_holder_lost_total", "Heartbeats that found this worker reaped (its slices dropped)."),
            (.replicaWaitsConfirmed, "flashsale_replica_waits_confirmed_total", "--ack replicated: WAIT calls confirmed by enough replicas."),
            (.replicaWaitsShort, "flashsale_replica_waits_short_total", "--ack replicated: WAIT calls short of replicas (the batch answered 503)."),
        ]
        for (stat, name, help) in flushCounters {
            out.family(name, help: help, type: "counter")
            for worker in workers {
                out.sample(name, [("worker", String(worker.worker))], String(worker.flushStat(stat)))
            }
        }
        let histograms: [(FlushHistogram, String, String, (UInt64) -> String)] = [
            (.batchOrders, "flashsale_flush_batch_orders", "Orders per group-commit flush.", { String($0) }),
            (.durationMicros, "flashsale_flush_duration_seconds", "Group-commit flush round trip, send to reply.",
             PrometheusText.seconds(micros:)),
        ]
        for (which, name, help, format) in histograms {
            out.family(name, help: help, type: "histogram")
            let count = which.bounds.count
            for worker in workers {
                let cells = worker.histogramCells(which)
                out.histogram(name, [("worker", String(worker.worker))], bounds: which.bounds,
                              counts: cells[0...count], sum: cells[count + 1], format: format)
            }
        }

        for gauge in WorkerGauge.allCases {
            out.family("\(gauge.name)", help: "\(gauge.help)", type: "gauge")
            for worker in workers {
                out.sample("\(gauge.name)", [("worker", String(worker.worker))], String(worker.gauge(gauge)))
            }
        }

        var lastName = ""
        for sample in extra {
            if sample.name != lastName {
                out.family(sample.name, help: sample.help, type: "gauge")
                lastName = sample.name
            }
            out.sample(sample.name, sample.labels, sample.value)
        }
        BuildInfo.render(into: &out, component: "engine")
        ProcessMetrics.render(into: &out)
        return out.text
    }

    private static func labels(_ route: MetricRoute) -> [(String, String)] {
        [("method", "\(route.method)"), ("route", "\(route.route)")]
    }

    /// Label values escape `\`, `"` and newline.
    static func escapeLabel(_ value: String) -> String { PrometheusText.escapeLabel(value) }

    /// Microseconds as decimal seconds without Foundation (e.g. 2500 -> "0.0025").
    static func seconds(micros: UInt64) -> String { PrometheusText.seconds(micros: micros) }
}
