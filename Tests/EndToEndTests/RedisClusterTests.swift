import Foundation
import TestSupport
import XCTest

/// `flashsale serve --redis <seed list>` on a real local Redis Cluster (3 masters, 3
/// replicas): sales on two masters, purchases, orders, `flashsale top` and the oracle.
final class RedisClusterTests: XCTestCase {
    func testServeOnAClusterWithSalesOnTwoMasters() throws {
        let cluster = try RedisClusterProcess()
        defer { cluster.stop() }
        let masters = try cluster.masters().map(\.port)
        let saleA = try cluster.sale(onMaster: masters[0], prefix: "north"), saleB = try cluster.sale(onMaster: masters[1], prefix: "south")
        // Seeds: a replica first (the engine finds the masters itself).
        let replica = try cluster.replicaPort(of: masters[2])
        let seeds = "redis://127.0.0.1:\(replica)," + cluster.seedList
        let engine = try EngineProcess(redisURL: seeds, arguments: ["--rate-limit-user", "off"], workers: "2")
        for sale in [saleA, saleB] {
            let put = try engine.putSale(sale, Sales.body(stock: ["a": 10, "b": 3], limit: 5))
            XCTAssertEqual(put.status, 201, "PUT \(sale): \(put.body)")
        }
        XCTAssertEqual(try cluster.client(port: cluster.masterPort(of: "fs:sales")).command("SMEMBERS", "fs:sales").elements.count, 2)
        var orders: [(sale: String, id: String, user: String)] = []
        for (index, sale) in [saleA, saleB, saleA, saleB, saleB].enumerated() {
            let user = "cu\(index)"
            let answer = try engine.buy(sale, sku: index % 2 == 0 ? "a" : "b", qty: 1, token: try Tokens.buyer(user))
            XCTAssertEqual(answer.status, 201, answer.body)
            orders.append((sale, try XCTUnwrap(answer.json["order_id"] as? String), user))
        }
        for order in orders {
            let read = try engine.order(order.id, token: try Tokens.buyer(order.user))
            XCTAssertEqual(read.status, 200, read.body)
            XCTAssertEqual(read.json["sale"] as? String, order.sale)
            // Stored on the master of its sale.
            let owner = try cluster.masterPort(ofSale: order.sale)
            let record = try cluster.client(port: owner).command("HGET", "fs:{\(order.sale)}:orders", order.id).string ?? ""
            XCTAssertTrue(record.hasPrefix("reserved "), "packed record of \(order.id): \(record)")
        }
        XCTAssertEqual(try engine.pay(orders[1].id).status, 200)
        // A failover of saleA's master: the engine follows the promoted replica and keeps selling.
        let promoted = try cluster.failover(master: masters[0])
        XCTAssertTrue(waitUntil(timeoutSeconds: 10, pollMillis: 100) {
            (try? engine.buy(saleA, sku: "b", qty: 1, token: try Tokens.buyer("after-failover")).status) == 201
        }, "no purchase of \(saleA) after its master failed over")
        XCTAssertEqual(try cluster.client(port: promoted).command("HGET", "fs:{\(saleA)}:counts:b", "reserved"), .bulk("1"))
        // The dashboard reads each sale on its own master (and the nodes on every master).
        let dashboard = try DashboardProcess(redisURL: cluster.seedList)
        for sale in [saleA, saleB] {
            var last = ""
            XCTAssertTrue(waitUntil(timeoutSeconds: 10, pollMillis: 200) {
                guard let snapshot = try? dashboard.snapshot("sale=\(sale)"), let shown = snapshot["sale"] as? [String: Any],
                      let skus = shown["skus"] as? [[String: Any]] else { return false }
                last = "\(snapshot["sale"] ?? "none") conservation \(snapshot["conservation"] ?? "none")"
                let totals = skus.compactMap { ($0["total"] as? NSNumber)?.int64Value }
                let ok = ((snapshot["conservation"] as? [String: Any])?["ok"] as? Bool) == true
                return shown["sale"] as? String == sale && totals.sorted() == [3, 10] && ok
            }, "the dashboard on the cluster did not show \(sale): \(last)")
        }
        try engine.stop()

        // top reads each sale on its own master and the node stats from every master.
        let frame = try Tokens.run(["top", "--once", "--redis", cluster.seedList])
        XCTAssertTrue(frame.contains("sale \(saleA)"), frame)
        XCTAssertTrue(frame.contains("sale \(saleB)"), frame)
        XCTAssertFalse(frame.contains("VIOLATED"), frame)
        XCTAssertTrue(frame.contains("conservation (total = pool + leased + reserved + paid): OK"), frame)
        // The oracle judges both sales from the cluster.
        for sale in [saleA, saleB] {
            let verdict = try ChildProcess(
                executable: builtBinary("flashsale-loadtest"), arguments: ["verify", "--sale", sale, "--redis", cluster.seedList])
            XCTAssertEqual(verdict.waitForExit(timeoutSeconds: 30), 0, verdict.output())
            XCTAssertTrue(verdict.output().contains("VERDICT      PASS"), verdict.output())
        }
    }
}
