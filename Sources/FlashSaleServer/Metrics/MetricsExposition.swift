/// Renders `/metrics` in the Prometheus text exposition format (version 0.0.4),
/// merging every worker's cells at scrape time.
public enum MetricsExposition {
    /// The `Content-Type` of the rendered text.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

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

    /// The whole exposition for `workers`, followed by `extra` gauges.
    public static func render(workers: [WorkerMetrics], extra: [Sample] = []) -> String {
        var out = ""
        out.reserveCapacity(16 * 1024)

        header(&out, "flashsale_http_requests_total", "HTTP requests answered, by route and status.", "counter")
        for route in MetricRoute.allCases {
            for statusIndex in 0..<MetricStatus.count {
                let total = workers.reduce(UInt64(0)) { $0 &+ $1.requestCell(route: route.rawValue, statusIndex: statusIndex) }
                guard total > 0 else { continue }
                let status = statusIndex < MetricStatus.codes.count ? String(MetricStatus.codes[statusIndex]) : "other"
                line(&out, "flashsale_http_requests_total", [("route", "\(route.label)"), ("status", status)], String(total))
            }
        }

        header(&out, "flashsale_purchases_total", "Purchase requests by outcome.", "counter")
        for outcome in PurchaseOutcome.allCases {
            let total = workers.reduce(UInt64(0)) { $0 &+ $1.purchases(outcome) }
            line(&out, "flashsale_purchases_total", [("outcome", "\(outcome.label)")], String(total))
        }

        header(&out, "flashsale_http_request_duration_seconds", "Time from request parsed to answer queued.", "histogram")
        let bounds = MetricBuckets.latencyMicros
        for route in MetricRoute.allCases {
            var cells = [UInt64](repeating: 0, count: bounds.count + 3)
            for worker in workers {
                for (index, value) in worker.latencyCells(route: route.rawValue).enumerated() { cells[index] &+= value }
            }
            guard cells[bounds.count + 2] > 0 else { continue }
            var cumulative: UInt64 = 0
            for (index, bound) in bounds.enumerated() {
                cumulative &+= cells[index]
                line(&out, "flashsale_http_request_duration_seconds_bucket",
                     [("route", "\(route.label)"), ("le", seconds(micros: bound))], String(cumulative))
            }
            cumulative &+= cells[bounds.count]
            line(&out, "flashsale_http_request_duration_seconds_bucket", [("route", "\(route.label)"), ("le", "+Inf")], String(cumulative))
            line(&out, "flashsale_http_request_duration_seconds_sum", [("route", "\(route.label)")], seconds(micros: cells[bounds.count + 1]))
            line(&out, "flashsale_http_request_duration_seconds_count", [("route", "\(route.label)")], String(cells[bounds.count + 2]))
        }

        // Group commit: cumulative counters per worker, and the engine's own
        // quantiles (quantiles cannot be merged, so they stay per worker).
        let flushCounters: [(FlushStat, String, String)] = [
            (.flushes, "flashsale_flushes_total", "Group-commit flush calls to Redis."),
            (.ordersPersisted, "flashsale_orders_persisted_total", "Orders recorded in Redis by flushes."),
            (.ordersRejected, "flashsale_orders_rejected_by_redis_total", "Orders Redis refused at flush time."),
            (.flushFailures, "flashsale_flush_failures_total", "Flush calls that failed before Redis decided (retried)."),
        ]
        for (stat, name, help) in flushCounters {
            header(&out, name, help, "counter")
            for worker in workers {
                line(&out, name, [("worker", String(worker.worker))], String(worker.flushStat(stat)))
            }
        }
        header(&out, "flashsale_flush_batch_orders", "Orders per group-commit flush (per worker).", "summary")
        for worker in workers {
            let label = String(worker.worker)
            line(&out, "flashsale_flush_batch_orders", [("worker", label), ("quantile", "0.5")], String(worker.flushStat(.batchP50)))
            line(&out, "flashsale_flush_batch_orders", [("worker", label), ("quantile", "0.99")], String(worker.flushStat(.batchP99)))
            line(&out, "flashsale_flush_batch_orders", [("worker", label), ("quantile", "1")], String(worker.flushStat(.batchMax)))
            line(&out, "flashsale_flush_batch_orders_sum", [("worker", label)], String(worker.flushStat(.ordersPersisted) &+ worker.flushStat(.ordersRejected)))
            line(&out, "flashsale_flush_batch_orders_count", [("worker", label)], String(worker.flushStat(.flushes)))
        }
        header(&out, "flashsale_flush_duration_seconds", "Group-commit flush round trip (per worker).", "summary")
        for worker in workers {
            let label = String(worker.worker)
            line(&out, "flashsale_flush_duration_seconds", [("worker", label), ("quantile", "0.5")], seconds(micros: worker.flushStat(.latencyP50Micros)))
            line(&out, "flashsale_flush_duration_seconds", [("worker", label), ("quantile", "0.99")], seconds(micros: worker.flushStat(.latencyP99Micros)))
        }

        for gauge in WorkerGauge.allCases {
            header(&out, "\(gauge.name)", "\(gauge.help)", "gauge")
            for worker in workers {
                line(&out, "\(gauge.name)", [("worker", String(worker.worker))], String(worker.gauge(gauge)))
            }
        }

        var lastName = ""
        for sample in extra {
            if sample.name != lastName {
                header(&out, sample.name, sample.help, "gauge")
                lastName = sample.name
            }
            line(&out, sample.name, sample.labels, String(sample.value))
        }
        return out
    }

    private static func header(_ out: inout String, _ name: String, _ help: String, _ type: String) {
        out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    private static func line(_ out: inout String, _ name: String, _ labels: [(String, String)], _ value: String) {
        out += name
        if !labels.isEmpty {
            out += "{"
            for (index, (key, labelValue)) in labels.enumerated() {
                if index > 0 { out += "," }
                out += key
                out += "=\""
                out += escapeLabel(labelValue)
                out += "\""
            }
            out += "}"
        }
        out += " "
        out += value
        out += "\n"
    }

    /// Label values escape `\`, `"` and newline.
    static func escapeLabel(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == 0x0A }) else {
            return value
        }
        var out = ""
        for character in value.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// Microseconds as decimal seconds without Foundation (e.g. 2500 -> "0.0025").
    static func seconds(micros: UInt64) -> String {
        let whole = micros / 1_000_000
        var fraction = micros % 1_000_000
        guard fraction > 0 else { return String(whole) }
        var digits = 6
        while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
        let text = String(fraction)
        return String(whole) + "." + String(repeating: "0", count: digits - text.count) + text
    }
}
