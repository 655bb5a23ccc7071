import FlashSaleServer
/// Renders a ``DashboardSnapshot`` as a plain-text frame (fixed-width columns,
/// no colour codes so that `--once` output is easy to read and to test).
public enum DashboardRenderer {
    /// The frame for `snapshot`.
    public static func render(_ snapshot: DashboardSnapshot) -> String {
        var out = "flashsale top — \(RFC3339.string(fromMillis: snapshot.redisTimeMillis)) (Redis time)"
        out += "   schema \(snapshot.schema ?? "absent")\n"
        out += "conservation (total = pool + leased + reserved + paid): "
        out += snapshot.conserved ? "OK" : "VIOLATED"
        out += "\n"
        if snapshot.sales.isEmpty { out += "\nno sales in Redis\n" }
        for sale in snapshot.sales {
            out += "\nsale \(sale.sale)"
            if let starts = sale.startsAtMillis, let ends = sale.endsAtMillis {
                let state = snapshot.redisTimeMillis < starts ? "scheduled" : (snapshot.redisTimeMillis >= ends ? "ended" : "live")
                out += "  \(state)  \(RFC3339.string(fromMillis: starts)) → \(RFC3339.string(fromMillis: ends))"
            }
            if let limit = sale.perUserLimit { out += "  limit \(limit)/user" }
            out += "\n  orders/s \(sale.ordersLastSecond)\(sale.ordersCapped ? "+" : "")"
            out += "   conservation \(sale.conserved ? "OK" : "VIOLATED")\n"
            out += row(["sku", "total", "pool", "leased", "reserved", "paid", "cancelled", "expired", "check"])
            for sku in sale.skus {
                let a = sku.audit
                out += row([a.sku, "\(a.total)", "\(a.pool)", "\(a.leased)", "\(a.reserved)", "\(a.paid)",
                            "\(a.cancelled)", "\(a.expired)", a.isConserved ? "ok" : "BROKEN"])
            }
            let rejections = sale.skus.reduce(into: [String: Int64]()) { totals, sku in
                for (reason, count) in sku.rejections { totals[reason, default: 0] += count }
            }
            if rejections.isEmpty {
                out += "  rejections (by Redis): none\n"
            } else {
                out += "  rejections (by Redis): "
                out += rejections.keys.sorted().map { "\($0)=\(rejections[$0] ?? 0)" }.joined(separator: " ")
                out += "\n"
            }
        }
        out += "\nnodes (fs:node:*): \(snapshot.nodes.count)\n"
        for node in snapshot.nodes {
            let fields = Dictionary(node.fields, uniquingKeysWith: { first, _ in first })
            out += "  \(node.id) (ttl \(node.ttlSeconds)s):"
            // The fields an operator scans first; the rest follow in name order.
            let shown = nodeSummaryFields.filter { fields[$0] != nil }
            for key in shown { out += " \(key)=\(fields[key] ?? "")" }
            let others = node.fields.filter { !nodeSummaryFields.contains($0.0) }
            if !others.isEmpty {
                out += "\n    " + others.map { "\($0.0)=\($0.1)" }.joined(separator: " ")
            }
            out += "\n"
        }
        return out
    }

    /// `fs:node:*` fields shown on a node's first line.
    static let nodeSummaryFields = [
        "redis", "ack", "requests", "reserved", "sold_out", "limit_exceeded", "overloaded", "orders_persisted",
        "leases_held", "pending_orders", "waiting_acks", "flush_p99_us", "batch_p99",
    ]

    private static let widths = [16, 10, 10, 8, 10, 10, 10, 10, 7]

    private static func row(_ cells: [String]) -> String {
        var line = " "
        for (index, cell) in cells.enumerated() {
            let width = widths[min(index, widths.count - 1)]
            let padding = max(1, width - cell.count)
            line += index == 0 ? " " + cell + String(repeating: " ", count: padding) : String(repeating: " ", count: padding) + cell
        }
        return line + "\n"
    }
}
