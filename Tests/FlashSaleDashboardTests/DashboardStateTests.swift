import FlashSaleRedis
import Foundation
import Testing

@testable import FlashSaleDashboard

func sku(_ name: String, total: Int64, pool: Int64, leased: Int64 = 0, reserved: Int64 = 0, paid: Int64 = 0,
         cancelled: Int64 = 0, expired: Int64 = 0, rejections: [(reason: String, count: Int64)] = []) -> SKUReading {
    SKUReading(sku: name, total: total, pool: pool, leased: leased, reserved: reserved, paid: paid, fulfilled: 0,
               cancelled: cancelled, expired: expired, rejections: rejections)
}

func sale(_ name: String, _ skus: [SKUReading]) -> SaleReading {
    SaleReading(sale: name, startsAtMillis: 0, endsAtMillis: 10_000_000, perUserLimit: 1, skus: skus, holders: [], relay: nil)
}

func node(_ id: String, requests: Int64, reserved: Int64, soldOut: Int64, updatedAt: Int64) -> NodeReading {
    NodeReading(id: id, fields: ["requests": String(requests), "reserved": String(reserved), "sold_out": String(soldOut),
                                 "updated_at": String(updatedAt), "redis": "up"], ttlSeconds: 9)
}

@Suite struct DashboardStateTests {
    @Test func ratesSoldOutTimeAndChecks() {
        let state = DashboardState(historyLength: 3)
        state.record(Reading(redisTimeMillis: 1_000, schema: "1",
                             sales: [sale("s", [sku("a", total: 10, pool: 8, leased: 2)])],
                             nodes: [node("n/0", requests: 100, reserved: 0, soldOut: 0, updatedAt: 900)]),
                     wallMillis: 1, salesNotRead: 0)
        #expect(state.checks == 1 && state.violationsFound == 0)
        #expect(state.soldOutAt(sale: "s", sku: "a") == nil)
        // Two seconds later: 10 units reserved, nothing left; 300 more requests, 40 sold-out refusals.
        state.record(Reading(redisTimeMillis: 3_000, schema: "1",
                             sales: [sale("s", [sku("a", total: 10, pool: 0, reserved: 7, paid: 3,
                                                    rejections: [("lease", 4)])])],
                             nodes: [node("n/0", requests: 400, reserved: 10, soldOut: 40, updatedAt: 2_900)]),
                     wallMillis: 2, salesNotRead: 0)
        let history = state.history(of: "s")
        #expect(history.count == 2)
        #expect(history[1].reservedPerSecond == 5)   // (7 + 3) - 0 over 2 s
        #expect(history[1].rejectedPerSecond == 2)
        #expect(history[1].units.pool == 0 && history[1].units.paid == 3)
        #expect(state.soldOutAt(sale: "s", sku: "a") == 3_000)
        #expect(state.nodeRequestRate["n/0"] == 150)
        let engine = state.engineHistory.elements
        #expect(engine.last?.reservedPerSecond == 5)
        #expect(engine.last?.rejectedPerSecond[EngineRates.reasons.firstIndex(of: "sold_out")!] == 20)
        // A violation is counted; history stays bounded.
        for second in 4...6 {
            state.record(Reading(redisTimeMillis: Int64(second) * 1000, schema: "1",
                                 sales: [sale("s", [sku("a", total: 10, pool: 1, reserved: 6, paid: 3, cancelled: 1)])], nodes: []),
                         wallMillis: 3, salesNotRead: 0)
        }
        #expect(state.violationsFound == 0)
        state.record(Reading(redisTimeMillis: 7_000, schema: "1",
                             sales: [sale("s", [sku("a", total: 10, pool: 2, reserved: 6, paid: 3)])], nodes: []),
                     wallMillis: 4, salesNotRead: 0)
        #expect(state.checks == 6 && state.violationsFound == 1)
        #expect(state.history(of: "s").count == 3)
        #expect(state.history(of: "s").map(\.atMillis) == [5_000, 6_000, 7_000])
        #expect(state.soldOutAt(sale: "s", sku: "a") == nil, "units came back: no longer sold out")
        // A sale gone from Redis loses its history.
        state.record(Reading(redisTimeMillis: 8_000, schema: "1", sales: [], nodes: []), wallMillis: 5, salesNotRead: 0)
        #expect(state.history(of: "s").isEmpty)
    }

    @Test func failureKeepsTheLastNumbers() {
        let state = DashboardState(historyLength: 10)
        state.record(Reading(redisTimeMillis: 1_000, schema: "1", sales: [sale("s", [sku("a", total: 5, pool: 5)])], nodes: []),
                     wallMillis: 1_000, salesNotRead: 0)
        state.recordFailure(.notConnected("connection refused"))
        #expect(!state.redisUp)
        #expect(state.redisError.contains("connection refused"))
        #expect(state.reading?.sales.first?.skus.first?.pool == 5)
        #expect(state.lastGoodReadMillis == 1_000)
        #expect(state.failedReads == 1)
    }
}

@Suite struct DashboardJSONTests {
    private func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test func pagesSelectsAndReportsViolations() throws {
        let state = DashboardState(historyLength: 10)
        let sales = (1...45).map { index in
            sale(String(format: "sale-%02d", index), [sku("a", total: 10, pool: index == 7 ? 3 : 10)])
        }
        state.record(Reading(redisTimeMillis: 1_000, schema: "1", sales: sales,
                             nodes: [node("n/0", requests: 1, reserved: 0, soldOut: 0, updatedAt: 500)]),
                     wallMillis: 1_000, salesNotRead: 5)
        let page2 = try object(DashboardJSON.render(state, DashboardQuery(page: 2, perPage: 20), wallMillis: 1_000))
        let listing = try #require(page2["sales"] as? [String: Any])
        #expect(listing["count"] as? Int == 45 && listing["pages"] as? Int == 3 && listing["not_read"] as? Int == 5)
        let items = try #require(listing["items"] as? [[String: Any]])
        #expect(items.map { $0["sale"] as? String } == (21...40).map { String(format: "sale-%02d", $0) })
        // Default selection: the page's first sale.
        #expect((page2["sale"] as? [String: Any])?["sale"] as? String == "sale-21")
        let conservation = try #require(page2["conservation"] as? [String: Any])
        #expect(conservation["ok"] as? Bool == false)
        let violating = try #require(conservation["violating"] as? [[String: Any]])
        #expect(violating.count == 1 && violating[0]["sale"] as? String == "sale-07" && violating[0]["imbalance"] as? Int == 7)
        let nodes = try #require(page2["nodes"] as? [[String: Any]])
        #expect(nodes.first?["heartbeat_age_ms"] as? Int == 500 && nodes.first?["up"] as? Bool == true)

        let picked = try object(DashboardJSON.render(state, DashboardQuery(sale: "sale-07", prefix: "sale-0"), wallMillis: 1_000))
        #expect((picked["sales"] as? [String: Any])?["count"] as? Int == 9)
        let detail = try #require(picked["sale"] as? [String: Any])
        let skus = try #require(detail["skus"] as? [[String: Any]])
        #expect(skus.first?["conserved"] as? Bool == false && skus.first?["pool"] as? Int == 3)

        let missing = try object(DashboardJSON.render(state, DashboardQuery(sale: "nope"), wallMillis: 1_000))
        #expect(missing["sale"] is NSNull && missing["sale_not_found"] as? String == "nope")
    }

    @Test func metricsCarryTheCheck() {
        let state = DashboardState(historyLength: 10)
        state.record(Reading(redisTimeMillis: 5_000, schema: "1",
                             sales: [sale("s\"1", [sku("a", total: 10, pool: 10), sku("b", total: 4, pool: 1, reserved: 2)])],
                             nodes: [node("n/0", requests: 1, reserved: 0, soldOut: 0, updatedAt: 2_500)]),
                     wallMillis: 5_000, salesNotRead: 0)
        let lines = Set(DashboardMetrics.render(state).split(separator: "\n").map(String.init))
        #expect(lines.contains(#"flashsale_conservation_violations{sale="s\"1",sku="a"} 0"#))
        #expect(lines.contains(#"flashsale_conservation_violations{sale="s\"1",sku="b"} 1"#))
        #expect(lines.contains("flashsale_conservation_checks_total 2"))
        #expect(lines.contains("flashsale_conservation_violations_found_total 1"))
        #expect(lines.contains("flashsale_dashboard_redis_up 1"))
        #expect(lines.contains(#"flashsale_node_heartbeat_age_seconds{worker="n/0"} 2.5"#))
        #expect(lines.contains("flashsale_dashboard_last_read_timestamp_seconds 5"))
        #expect(lines.contains { $0.hasPrefix("flashsale_build_info{") && $0.contains(#"component="dashboard""#) })
    }
}
