import FlashSaleClient
import FlashSaleRedis

/// Reads a ``DashboardSnapshot`` from Redis (and nothing else).
///
/// Sales are found with `SCAN MATCH fs:{*}:sale`; each sale's unit counters
/// come from the audit script in one atomic step, so the conservation check
/// never compares counters from different moments.
struct DashboardReader {
    /// At most this many `reserved` events are counted per sale and second.
    static let orderCountCap = 100_000

    private let session: BlockingRedisSession

    /// Creates a reader over an open session.
    init(session: BlockingRedisSession) {
        self.session = session
    }

    /// Reads one snapshot; `onlySale` limits it to one sale.
    func read(onlySale: String? = nil) throws -> DashboardSnapshot {
        let time = try session.command(["TIME"]).elements
        let seconds = time.first?.int ?? 0
        let micros = time.count > 1 ? (time[1].int ?? 0) : 0
        let now = seconds * 1000 + micros / 1000
        let schema = try session.command(["GET", FlashSaleKeys.schema]).string

        var saleNames: [String]
        if let onlySale {
            saleNames = [onlySale]
        } else {
            saleNames = try session.scan(match: FlashSaleKeys.saleHashPattern).compactMap(FlashSaleKeys.sale(ofSaleHashKey:))
        }
        saleNames.sort()
        var sales: [DashboardSnapshot.SaleRow] = []
        for name in saleNames {
            let keys = FlashSaleKeys(sale: name)
            let config = (try session.command(["HGETALL", keys.saleHash])).fieldPairs
            guard !config.isEmpty else { continue }
            let call = FlashSaleScripts.auditCall(sale: name)
            let audits = try SKUAudit.parse(try session.eval(call.script, keys: call.keys, args: call.arguments))
            var skus: [DashboardSnapshot.SKURow] = []
            for audit in audits {
                var rejections: [String: Int64] = [:]
                for (field, value) in try session.command(["HGETALL", keys.counts(audit.sku)]).fieldPairs
                where field.hasPrefix("rejected_") {
                    rejections[String(field.dropFirst("rejected_".count))] = Int64(value) ?? 0
                }
                skus.append(.init(audit: audit, rejections: rejections))
            }
            let recent = try session.command([
                "XRANGE", keys.events, String(now - 1000), "+", "COUNT", String(Self.orderCountCap),
            ]).elements
            // Schema 2: one `reserved` entry per flush, one field per order it recorded.
            var orders = 0
            for entry in recent where entry.elements.count > 1 {
                if let event = OrderEventEntry(fields: entry.elements[1].fieldPairs), event.type == "reserved" {
                    orders += event.orders.count
                }
            }
            let lookup = Dictionary(config, uniquingKeysWith: { first, _ in first })
            sales.append(.init(
                sale: name, startsAtMillis: lookup["starts_at"].flatMap { Int64($0) },
                endsAtMillis: lookup["ends_at"].flatMap { Int64($0) },
                perUserLimit: lookup["per_user_limit"].flatMap { Int64($0) }, skus: skus,
                ordersLastSecond: orders, ordersCapped: recent.count >= Self.orderCountCap))
        }

        var nodes: [DashboardSnapshot.NodeRow] = []
        for key in try session.scan(match: FlashSaleKeys.nodePattern) {
            let fields = (try session.command(["HGETALL", key])).fieldPairs.sorted { $0.0 < $1.0 }
            guard !fields.isEmpty else { continue }
            let ttl = try session.command(["TTL", key]).int ?? -1
            nodes.append(.init(id: String(key.dropFirst(FlashSaleKeys.nodePrefix.count)), fields: fields, ttlSeconds: ttl))
        }
        return DashboardSnapshot(redisTimeMillis: now, schema: schema, sales: sales, nodes: nodes)
    }
}
