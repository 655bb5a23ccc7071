import FlashSaleServer

/// The relay's `/metrics` (Prometheus text, every family in `docs/metrics.md`).
enum RelayMetrics {
    static func render(
        deliverers: [EndpointDeliverer], streams: [SaleStream], stats: RelayStats, redisUp: Bool, nowMillis: Int64
    ) -> String {
        var out = PrometheusText()
        out.family("flashsale_relay_deliveries_total",
                   help: "Events finished per endpoint: delivered (2xx), dead (every attempt failed), skipped (type not wanted).",
                   type: "counter")
        for deliverer in deliverers {
            let name = deliverer.endpoint.name
            out.sample("flashsale_relay_deliveries_total", [("endpoint", name), ("outcome", "delivered")], String(deliverer.stats.delivered))
            out.sample("flashsale_relay_deliveries_total", [("endpoint", name), ("outcome", "dead")], String(deliverer.stats.dead))
            out.sample("flashsale_relay_deliveries_total", [("endpoint", name), ("outcome", "skipped")], String(deliverer.stats.skipped))
        }
        out.family("flashsale_relay_attempts_total", help: "Delivery attempts per endpoint by result.", type: "counter")
        for deliverer in deliverers {
            for result in EndpointStats.AttemptResult.allCases {
                out.sample("flashsale_relay_attempts_total", [("endpoint", deliverer.endpoint.name), ("result", result.rawValue)],
                           String(deliverer.stats.attempts[result] ?? 0))
            }
        }
        out.family("flashsale_relay_stale_connection_resends_total",
                   help: "Requests sent again on a new connection because a reused keep-alive connection was closed by the peer (not attempts).",
                   type: "counter")
        for deliverer in deliverers {
            out.sample("flashsale_relay_stale_connection_resends_total", [("endpoint", deliverer.endpoint.name)],
                       String(deliverer.stats.staleRetries))
        }
        out.family("flashsale_relay_delivery_attempts", help: "Attempts an event took at an endpoint, counted when it finished.",
                   type: "histogram")
        for deliverer in deliverers {
            out.histogram("flashsale_relay_delivery_attempts", [("endpoint", deliverer.endpoint.name)],
                          bounds: EndpointStats.attemptBounds, counts: deliverer.stats.attemptBuckets[...],
                          sum: deliverer.stats.attemptSum)
        }
        out.family("flashsale_relay_breaker_state", help: "Circuit breaker per endpoint: 0 closed, 1 open, 2 half-open.", type: "gauge")
        for deliverer in deliverers {
            out.sample("flashsale_relay_breaker_state", [("endpoint", deliverer.endpoint.name)], Int64(deliverer.breakerState.rawValue))
        }
        out.family("flashsale_relay_breaker_openings_total", help: "Times the endpoint's breaker opened.", type: "counter")
        for deliverer in deliverers {
            out.sample("flashsale_relay_breaker_openings_total", [("endpoint", deliverer.endpoint.name)], Int64(deliverer.breakerOpenings))
        }
        out.family("flashsale_relay_in_flight", help: "Attempts in flight per endpoint.", type: "gauge")
        for deliverer in deliverers {
            out.sample("flashsale_relay_in_flight", [("endpoint", deliverer.endpoint.name)], Int64(deliverer.inFlight))
        }
        out.family("flashsale_relay_queued", help: "Events held for the endpoint (waiting, retrying or in flight).", type: "gauge")
        for deliverer in deliverers {
            out.sample("flashsale_relay_queued", [("endpoint", deliverer.endpoint.name)], Int64(deliverer.jobsHeld))
        }
        out.family("flashsale_relay_oldest_undelivered_age_seconds",
                   help: "Age of the oldest event this relay read and has not finished, per sale (0: none).", type: "gauge")
        for stream in streams {
            let age = stream.oldestHeldMillis.map { max(0, nowMillis - $0) } ?? 0
            out.sample("flashsale_relay_oldest_undelivered_age_seconds", [("sale", stream.sale)],
                       PrometheusText.seconds(micros: UInt64(age) * 1000))
        }
        out.family("flashsale_relay_held_events", help: "Events read by this relay and not yet finished, per sale.", type: "gauge")
        for stream in streams {
            out.sample("flashsale_relay_held_events", [("sale", stream.sale)], Int64(stream.heldCount))
        }
        let counters: [(String, String, UInt64)] = [
            ("flashsale_relay_entries_read_total", "Stream entries read (new, own pending, taken over).", stats.entriesRead),
            ("flashsale_relay_entries_taken_over_total", "Entries taken over from another consumer with XAUTOCLAIM.", stats.takenOver),
            ("flashsale_relay_entries_acked_total", "Entries acknowledged (XACK).", stats.acked),
            ("flashsale_relay_undecodable_entries_total", "Entries that are not order events (acknowledged without delivery).",
             stats.undecodable),
            ("flashsale_relay_dead_letters_written_total", "Dead letters written to fs:{S}:dead.", stats.deadLetters),
            ("flashsale_relay_dead_letter_write_failures_total", "Dead-letter writes that failed (tried again).",
             stats.deadLetterWriteFailures),
            ("flashsale_relay_ack_failures_total", "XACK calls that failed (tried again).", stats.ackFailures),
            ("flashsale_relay_redis_errors_total", "Reads and group creations that failed.", stats.redisErrors),
        ]
        for (name, help, value) in counters {
            out.family(name, help: help, type: "counter")
            out.sample(name, [], String(value))
        }
        out.family("flashsale_relay_sales", help: "Sales whose events this relay reads.", type: "gauge")
        out.sample("flashsale_relay_sales", [], Int64(streams.count))
        out.family("flashsale_relay_redis_up", help: "1 while the relay's Redis connection is up, else 0.", type: "gauge")
        out.sample("flashsale_relay_redis_up", [], redisUp ? 1 : 0)
        BuildInfo.render(into: &out, component: "relay")
        ProcessMetrics.render(into: &out)
        return out.text
    }
}
