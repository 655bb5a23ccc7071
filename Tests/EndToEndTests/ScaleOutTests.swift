#if canImport(Glibc)
import Glibc
#endif
import Foundation
import TestSupport
import XCTest

/// The deployment of docs/scaling.md, every part real: a Redis Cluster of 3 masters with a
/// replica each (AOF always), 3 engine nodes (the built binary) on it, and HAProxy in front
/// running deploy/haproxy/haproxy.cfg with `send-proxy-v2`. A sell-out burst on two sales
/// whose slots live on different masters; mid-burst one node is killed for good and one
/// sale's master fails over. Afterwards, per sale: sold exactly, no oversell, every 201 in
/// Redis, nobody over the limit, conservation, the dead node's leases reaped within the
/// grace, and late buyers answered `409 sold_out`, never `503`. The nodes run `--ack replicated`
/// (a `WAIT` behind each flush batch, on the sale's master).
final class ScaleOutTests: XCTestCase {
    private static let graceMillis = 2000
    private static let stock = 1200

    private func reapedWorkers(_ db: BlockingRedis, sale: String) throws -> [String] {
        try db.command("XRANGE", "fs:{\(sale)}:events", "-", "+").elements.compactMap { entry in
            let fields = entry.elements[1].elements.compactMap(\.string)
            guard let type = fields.firstIndex(of: "type"), type + 1 < fields.count, fields[type + 1] == "lease_reaped",
                  let worker = fields.firstIndex(of: "worker"), worker + 1 < fields.count else { return nil }
            return fields[worker + 1]
        }
    }

    private func leased(_ db: BlockingRedis, sale: String, worker: String) -> Int {
        Int((try? db.command("HGET", "fs:{\(sale)}:leases:a", worker).string) ?? "0") ?? 0
    }

    func testBurstThroughHAProxyOnAClusterSurvivesANodeKillAndAFailover() throws {
        let cluster = try RedisClusterProcess()
        defer { cluster.stop() }
        let masters = try cluster.masters().map(\.port)
        let sales = [try cluster.sale(onMaster: masters[0], prefix: "east"), try cluster.sale(onMaster: masters[1], prefix: "west")]
        let arguments = [
            "--proxy-protocol", "--trusted-proxy", "127.0.0.1/32", "--trust-user-header", "--ack", "replicated", "--ack-replica-timeout-ms", "100",
            "--lease-grace-ms", String(Self.graceMillis), "--rate-limit-user", "off",
        ]
        let nodes = try ["n1", "n2", "n3"].map {
            try EngineProcess(redisURL: cluster.seedList, arguments: arguments, nodeID: $0, waitReady: false)
        }
        for node in nodes { try node.waitReadyBehindProxy() }
        let haproxy = try HAProxyProcess(
            template: repositoryRoot().appendingPathComponent("deploy/haproxy/haproxy.cfg"),
            values: ["NODE1": "127.0.0.1:\(nodes[0].port)", "NODE2": "127.0.0.1:\(nodes[1].port)", "NODE3": "127.0.0.1:\(nodes[2].port)"])
        defer { haproxy.stop() }
        XCTAssertTrue(waitUntil(timeoutSeconds: 10, pollMillis: 100) {
            (try? HTTPTestClient.request(port: haproxy.port, "GET", "/readyz").status) == 200
        }, haproxy.output())
        for sale in sales {
            let put = try HTTPTestClient.request(
                port: haproxy.port, "PUT", "/v1/sales/\(sale)",
                headers: ["Authorization": "Bearer \(Secrets.admin)", "Content-Type": "application/json"],
                body: Sales.body(stock: ["a": Self.stock], limit: 1))
            XCTAssertEqual(put.status, 201, "PUT \(sale) through HAProxy: \(put.body)")
        }
        func db(_ sale: String) throws -> BlockingRedis { try cluster.client(port: cluster.masterPort(ofSale: sale)) }

        // The burst: buyers through HAProxy on both sales.
        let stop = AtomicFlag()
        let collectors = sales.map { _ in [haproxy.port: OrderCollector()] }
        let groups = sales.indices.map { index in
            Burst.start([haproxy.port], sale: sales[index], threads: 5, prefix: "b\(index)-", stop: stop, into: collectors[index])
        }
        defer { stop.set(); for group in groups { group.wait() } }

        // Mid-burst, once the node to kill holds a lease of each sale: kill -9, not restarted.
        let victim = nodes[0]
        XCTAssertTrue(waitUntil(timeoutSeconds: 30, pollMillis: 5) {
            sales.allSatisfy { sale in (try? db(sale)).map { self.leased($0, sale: sale, worker: "n1/0") > 0 } ?? false }
        }, "n1 never held a lease of both sales: \(collectors.map { $0[haproxy.port]!.count }) sold")
        victim.process.kill9()
        let killedAt = Date()
        // And one sale's master fails over (CLUSTER FAILOVER on its replica) mid-burst.
        let promoted = try cluster.failover(master: masters[1])
        XCTAssertEqual(try cluster.masterPort(ofSale: sales[1]), promoted)

        // The dead node's leases go back to the pool within the grace (plus a reaper period
        // and slack for this 2-core machine), with a lease_reaped event.
        for sale in sales {
            let redis = try db(sale)
            XCTAssertTrue(waitUntil(timeoutSeconds: 8, pollMillis: 50) {
                (try? redis.command("HEXISTS", "fs:{\(sale)}:leases:a", "n1/0").int) == 0
                    && ((try? self.reapedWorkers(redis, sale: sale)) ?? []).contains("n1/0")
            }, "n1/0's lease of \(sale) was not reaped")
            XCTAssertEqual(try redis.command("HEXISTS", "fs:{\(sale)}:holders", "n1/0").int, 0)
        }
        let reapedAfter = Date().timeIntervalSince(killedAt)
        XCTAssertLessThan(reapedAfter, Double(Self.graceMillis) / 1000 + 1 + 3, "reaped \(reapedAfter) s after the kill")

        // Let the burst run until both sales sell out, then stop it.
        XCTAssertTrue(waitUntil(timeoutSeconds: 60, pollMillis: 100) {
            sales.allSatisfy { sale in ((try? db(sale)).flatMap { try? RedisInvariants.read($0, sale: sale).first?.reserved }) == Int64(Self.stock) }
        }, "not sold out: \(collectors.map { $0[haproxy.port]!.count }) 201s")
        stop.set()
        for group in groups { group.wait() }

        for (index, sale) in sales.enumerated() {
            // Late buyers through HAProxy: 409 sold_out, never 503.
            var statuses: [Int: Int] = [:]
            for late in 0..<30 {
                guard let answer = Burst.buy(haproxy.port, sale, user: "late-\(index)-\(late)") else { continue }
                statuses[answer.status, default: 0] += 1
                if answer.status == 409 { XCTAssertEqual(answer.errorCode, "sold_out", answer.body) }
            }
            XCTAssertEqual(statuses, [409: 30], "late buyers of \(sale)")

            // Redis, on the sale's master (the promoted one for the failed-over sale).
            let redis = try db(sale)
            let states = try RedisInvariants.check(redis, sale: sale, limit: 1)
            XCTAssertEqual(states.first?.reserved, Int64(Self.stock), "sold exactly the stock of \(sale)")
            XCTAssertEqual(states.first?.pool, 0)
            XCTAssertEqual(states.first?.leased, 0, "no unit stranded with the dead node")
            let acknowledged = collectors[index][haproxy.port]!.all
            XCTAssertLessThanOrEqual(acknowledged.count, Self.stock)
            try RedisInvariants.assertRecorded(redis, sale: sale, acknowledged)
            // The oracle judges the sale from the cluster (it finds the master itself).
            let verdict = try ChildProcess(
                executable: builtBinary("flashsale-loadtest"), arguments: ["verify", "--sale", sale, "--redis", cluster.seedList])
            XCTAssertEqual(verdict.waitForExit(timeoutSeconds: 30), 0, verdict.output())
            XCTAssertTrue(verdict.output().contains("VERDICT      PASS"), verdict.output())
        }
        // The WAITs went to the master of the sale they confirm (the one that did not fail over).
        let stats = try cluster.client(port: masters[0]).command("INFO", "commandstats").string ?? ""
        XCTAssertTrue(stats.contains("cmdstat_wait:calls="), "no WAIT reached \(sales[0])'s master")
        for node in nodes.dropFirst() { try node.stop() }
    }
}
