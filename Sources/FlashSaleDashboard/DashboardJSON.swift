import FlashSaleServer

/// The JSON document of `/api/snapshot` (and of each Server-Sent Event):
/// Redis status, the conservation verdict, one page of sales, the selected
/// sale in detail with its history, the nodes and the engine's rates.
/// Field by field in `docs/dashboard.md`.
enum DashboardJSON {
    /// A worker whose stats hash is older than this is shown as down.
    static let nodeStaleMillis: Int64 = 5_000

    static func render(_ state: DashboardState, _ query: DashboardQuery, wallMillis: Int64) -> String {
        var json = JSONBuffer(capacity: 16 * 1024)
        let reading = state.reading
        let now = reading?.redisTimeMillis ?? wallMillis
        let allSales = reading?.sales ?? []
        let matching = query.prefix.map { prefix in allSales.filter { $0.sale.hasPrefix(prefix) } } ?? allSales
        let pages = max(1, (matching.count + query.perPage - 1) / query.perPage)
        let pageSales = Array(matching.dropFirst((query.page - 1) * query.perPage).prefix(query.perPage))
        let selectedName = query.sale ?? pageSales.first?.sale
        let selected = selectedName.flatMap { name in allSales.first { $0.sale == name } }

        json.object { json in
            json.field("generated_at", integer: wallMillis)
            json.key("redis")
            json.object { json in
                json.field("up", bool: state.redisUp)
                json.field("error", string: state.redisError)
                if let at = state.lastGoodReadMillis { json.field("last_read_at", integer: at) } else { json.nullField("last_read_at") }
                if let reading { json.field("redis_time", integer: reading.redisTimeMillis) } else { json.nullField("redis_time") }
                if let schema = reading?.schema { json.field("schema", string: schema) } else { json.nullField("schema") }
                json.field("failed_reads", integer: Int64(state.failedReads))
            }
            json.key("conservation")
            json.object { json in
                let broken = allSales.flatMap { sale in sale.skus.filter { !$0.conserved }.map { (sale.sale, $0) } }
                json.field("ok", bool: broken.isEmpty)
                json.field("checks", integer: Int64(state.checks))
                json.field("violations_found", integer: Int64(state.violationsFound))
                objects(&json, "violating", broken.prefix(100)) { json, entry in
                    let (sale, sku) = entry
                    json.field("sale", string: sale)
                    json.field("sku", string: sku.sku)
                    json.field("imbalance", integer: sku.imbalance)
                }
            }
            json.key("sales")
            json.object { json in
                json.field("count", integer: matching.count)
                json.field("page", integer: query.page)
                json.field("per_page", integer: query.perPage)
                json.field("pages", integer: pages)
                json.field("not_read", integer: state.salesNotRead)
                json.key("items")
                json.array { json in
                    for sale in pageSales { saleSummary(&json, sale, now: now) }
                }
            }
            if let selected {
                json.key("sale")
                saleDetail(&json, selected, state, now: now)
            } else {
                json.nullField("sale")
                if let missing = query.sale { json.field("sale_not_found", string: missing) }
            }
            json.key("nodes")
            json.array { json in
                for node in reading?.nodes ?? [] { nodeRow(&json, node, state, now: now) }
            }
            json.key("rejection_reasons")
            json.array { json in for reason in EngineRates.reasons { json.string(reason) } }
            objects(&json, "engine_history", state.engineHistory.elements) { json, point in
                json.field("at", integer: point.atMillis)
                json.field("reserved_per_s", integer: rounded(point.reservedPerSecond))
                json.key("rejected_per_s")
                json.array { json in for value in point.rejectedPerSecond { json.integer(rounded(value)) } }
            }
        }
        return json.text
    }

    private static func saleSummary(_ json: inout JSONBuffer, _ sale: SaleReading, now: Int64) {
        json.object { json in
            json.field("sale", string: sale.sale)
            json.field("state", string: sale.state(at: now))
            json.field("skus", integer: sale.skus.count)
            json.field("total", integer: sale.skus.reduce(0) { $0 + $1.total })
            units(&json, SaleUnits(sale.skus))
            json.field("conserved", bool: sale.skus.allSatisfy(\.conserved))
        }
    }

    private static func saleDetail(_ json: inout JSONBuffer, _ sale: SaleReading, _ state: DashboardState, now: Int64) {
        json.object { json in
            json.field("sale", string: sale.sale)
            json.field("state", string: sale.state(at: now))
            optional(&json, "starts_at", sale.startsAtMillis)
            optional(&json, "ends_at", sale.endsAtMillis)
            optional(&json, "per_user_limit", sale.perUserLimit)
            objects(&json, "skus", sale.skus) { json, sku in
                json.field("sku", string: sku.sku)
                json.field("total", integer: sku.total)
                json.field("pool", integer: sku.pool)
                json.field("leased", integer: sku.leased)
                json.field("reserved", integer: sku.reserved)
                json.field("paid", integer: sku.paid)
                json.field("fulfilled", integer: sku.fulfilled)
                json.field("cancelled", integer: sku.cancelled)
                json.field("expired", integer: sku.expired)
                json.field("imbalance", integer: sku.imbalance)
                json.field("conserved", bool: sku.conserved)
                optional(&json, "sold_out_at", state.soldOutAt(sale: sale.sale, sku: sku.sku))
                objects(&json, "rejections", sku.rejections) { json, rejection in
                    json.field("reason", string: rejection.reason)
                    json.field("count", integer: rejection.count)
                }
            }
            objects(&json, "holders", sale.holders) { json, holder in
                json.field("worker", string: holder.worker)
                json.field("beat_at", integer: holder.beatMillis)
                json.field("age_ms", integer: max(0, now - holder.beatMillis))
            }
            if let relay = sale.relay {
                json.key("relay")
                json.object { json in
                    json.field("lag", integer: relay.lag)
                    json.field("pending", integer: relay.pending)
                    json.field("dead_letters", integer: relay.deadLetters)
                }
            } else {
                json.nullField("relay")
            }
            objects(&json, "history", state.history(of: sale.sale)) { json, point in
                json.field("at", integer: point.atMillis)
                units(&json, point.units)
                json.field("reserved_per_s", integer: rounded(point.reservedPerSecond))
                json.field("rejected_per_s", integer: rounded(point.rejectedPerSecond))
            }
        }
    }

    private static func nodeRow(_ json: inout JSONBuffer, _ node: NodeReading, _ state: DashboardState, now: Int64) {
        json.object { json in
            json.field("id", string: node.id)
            json.field("node", string: node.fields["node"] ?? "")
            json.field("worker", string: node.fields["worker"] ?? "")
            let age = node.fields["updated_at"].flatMap { Int64($0) }.map { max(0, now - $0) }
            json.field("up", bool: age.map { $0 < nodeStaleMillis } ?? false)
            optional(&json, "heartbeat_age_ms", age)
            json.field("redis", string: node.fields["redis"] ?? "")
            json.field("ack", string: node.fields["ack"] ?? "")
            json.field("requests_per_s", integer: rounded(state.nodeRequestRate[node.id] ?? 0))
            json.field("flush_p99_us", integer: node.int("flush_p99_us"))
            json.field("leases_held", integer: node.int("leases_held"))
            json.field("reserved", integer: node.int("reserved"))
            json.field("overloaded", integer: node.int("overloaded"))
            json.field("ttl_s", integer: node.ttlSeconds)
        }
    }

    /// `"name": [{…}, …]`: one object per element, its fields written by `body`.
    private static func objects<Elements: Sequence>(
        _ json: inout JSONBuffer, _ name: StaticString, _ elements: Elements,
        _ body: (inout JSONBuffer, Elements.Element) -> Void
    ) {
        json.key(name)
        json.array { json in
            for element in elements { json.object { json in body(&json, element) } }
        }
    }

    /// The fields `pool`, `leased`, `reserved`, `paid`.
    private static func units(_ json: inout JSONBuffer, _ units: SaleUnits) {
        json.field("pool", integer: units.pool)
        json.field("leased", integer: units.leased)
        json.field("reserved", integer: units.reserved)
        json.field("paid", integer: units.paid)
    }

    private static func optional(_ json: inout JSONBuffer, _ name: StaticString, _ value: Int64?) {
        if let value { json.field(name, integer: value) } else { json.nullField(name) }
    }

    private static func rounded(_ value: Double) -> Int64 { value.isFinite ? Int64(value.rounded()) : 0 }
}
