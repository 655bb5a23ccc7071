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
}
