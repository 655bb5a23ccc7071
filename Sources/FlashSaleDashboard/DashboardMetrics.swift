import FlashSaleServer

/// The dashboard's own `/metrics`: the live conservation check per sale and
/// SKU, whether Redis answers, build and process facts.
enum DashboardMetrics {
    static func render(_ state: DashboardState) -> String {
        var out = PrometheusText()
        out.family("flashsale_conservation_violations",
                   help: "1 while total != pool + leases + reserved + paid for the SKU at the last read, else 0.", type: "gauge")
        for sale in state.reading?.sales ?? [] {
            for sku in sale.skus {
                out.sample("flashsale_conservation_violations", [("sale", sale.sale), ("sku", sku.sku)], sku.conserved ? 0 : 1)
            }
        }
        out.family("flashsale_conservation_checks_total", help: "SKU conservation checks made (one per SKU per read).", type: "counter")
        out.sample("flashsale_conservation_checks_total", [], String(state.checks))
        out.family("flashsale_conservation_violations_found_total", help: "Conservation checks that found a violation.", type: "counter")
        out.sample("flashsale_conservation_violations_found_total", [], String(state.violationsFound))
        let now = state.reading?.redisTimeMillis ?? 0
        let nodes = state.reading?.nodes ?? []
        out.family("flashsale_node_heartbeat_age_seconds",
                   help: "Age of each worker's fs:node stats hash (written every second), by Redis time.", type: "gauge")
        for node in nodes {
            guard let updated = node.fields["updated_at"].flatMap({ Int64($0) }) else { continue }
            out.sample("flashsale_node_heartbeat_age_seconds", [("worker", node.id)], milliseconds(max(0, now - updated)))
        }
        let sales = state.reading?.sales ?? []
        out.family("flashsale_lease_holder_heartbeat_age_seconds",
                   help: "Age of each lease holder's heartbeat in fs:{S}:holders (scale-out), by Redis time.", type: "gauge")
        for sale in sales {
            for holder in sale.holders {
                out.sample("flashsale_lease_holder_heartbeat_age_seconds", [("sale", sale.sale), ("worker", holder.worker)],
                           milliseconds(max(0, now - holder.beatMillis)))
            }
        }
        let relays = sales.compactMap { sale in sale.relay.map { (sale.sale, $0) } }
        out.family("flashsale_relay_lag_events", help: "Events of the sale not yet delivered to the fs-relay group.", type: "gauge")
        for (sale, relay) in relays where relay.lag >= 0 { out.sample("flashsale_relay_lag_events", [("sale", sale)], relay.lag) }
        out.family("flashsale_relay_pending_events", help: "Events delivered to the relay and not yet acknowledged.", type: "gauge")
        for (sale, relay) in relays { out.sample("flashsale_relay_pending_events", [("sale", sale)], relay.pending) }
        out.family("flashsale_relay_dead_letters", help: "Entries in fs:{S}:dead (events the relay gave up on).", type: "gauge")
        for (sale, relay) in relays { out.sample("flashsale_relay_dead_letters", [("sale", sale)], relay.deadLetters) }
        out.family("flashsale_dashboard_redis_up", help: "1 while the dashboard's last read of Redis succeeded, else 0.", type: "gauge")
        out.sample("flashsale_dashboard_redis_up", [], state.redisUp ? 1 : 0)
        out.family("flashsale_dashboard_read_failures_total", help: "Reads of Redis that failed (unreachable, timeout).", type: "counter")
        out.sample("flashsale_dashboard_read_failures_total", [], String(state.failedReads))
        out.family("flashsale_dashboard_sales", help: "Sales found in Redis at the last read.", type: "gauge")
        out.sample("flashsale_dashboard_sales", [], Int64((state.reading?.sales.count ?? 0) + state.salesNotRead))
        if let at = state.lastGoodReadMillis {
            out.family("flashsale_dashboard_last_read_timestamp_seconds", help: "When Redis was last read successfully (Unix seconds).",
                       type: "gauge")
            out.sample("flashsale_dashboard_last_read_timestamp_seconds", [], PrometheusText.seconds(micros: UInt64(max(0, at)) * 1000))
        }
        BuildInfo.render(into: &out, component: "dashboard")
        ProcessMetrics.render(into: &out)
        return out.text
    }

    private static func milliseconds(_ value: Int64) -> String { PrometheusText.seconds(micros: UInt64(value) * 1000) }
}
