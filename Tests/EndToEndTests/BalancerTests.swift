import Foundation
import TestSupport
import XCTest

/// Two engine nodes (the built binary) on one standalone Redis behind a real balancer
/// running the very config users copy (deploy/haproxy/haproxy.cfg, deploy/nginx/flashsale.conf).
/// Buyers connect from distinct loopback sources (127.0.0.2, 127.0.0.3, …): the
/// per-address rate limit and the audit entries see those, not the balancer's address.
final class BalancerTests: XCTestCase {
    /// Burst 3 per node and client address, one more a second.
    private let engineArguments = ["--rate-limit-address", "1/3", "--redis-timeout-ms", "500"]

    private func template(_ path: String) -> URL { repositoryRoot().appendingPathComponent(path) }

    /// The placeholders: two nodes, the third a port nothing listens on (a node that is down).
    private func nodes(_ engines: [EngineProcess]) -> [String: String] {
        ["NODE1": "127.0.0.1:\(engines[0].port)", "NODE2": "127.0.0.1:\(engines[1].port)", "NODE3": "127.0.0.1:\(freeLoopbackPort())"]
    }

    /// Rate limit and audit through the balancer on `port` key on the buyer's address,
    /// and a forged `X-Forwarded-For` from a buyer changes nothing.
    private func checkClientAddresses(balancer port: Int, redis: RedisServerProcess) throws {
        var statuses: [Int] = []
        for index in 0..<12 {
            let forged = ["X-Forwarded-For": "198.51.100.\(index)"]
            statuses.append(try HTTPTestClient.request(port: port, "GET", "/v1/sales/none", headers: forged, source: "127.0.0.2").status)
        }
        XCTAssertTrue(statuses.contains(429), "127.0.0.2 used up its buckets: \(statuses)")
        XCTAssertTrue(statuses.prefix(2).allSatisfy { $0 == 404 }, "the first ones pass: \(statuses)")
        for _ in 0..<2 {
            let other = try HTTPTestClient.request(port: port, "GET", "/v1/sales/none", source: "127.0.0.3")
            XCTAssertEqual(other.status, 404, "127.0.0.3 has buckets of its own, not the balancer's: \(other.body)")
        }
        let put = try HTTPTestClient.request(
            port: port, "PUT", "/v1/sales/edge",
            headers: ["Authorization": "Bearer \(Secrets.admin)", "Content-Type": "application/json", "X-Forwarded-For": "203.0.113.1"],
            body: Sales.body(stock: ["a": 1]), source: "127.0.0.4")
        XCTAssertEqual(put.status, 201, put.body)
        let entries = try redis.client().command("XRANGE", "fs:audit", "-", "+").elements
        XCTAssertEqual(entries.last?.elements[1].hash["address"], "127.0.0.4", "the audit entry records the buyer's address")
    }

    func testHAProxyWithProxyProtocolV2() throws {
        let redis = try RedisServerProcess()
        let arguments = engineArguments + ["--proxy-protocol", "--trusted-proxy", "127.0.0.1/32"]
        let engines = try (0..<2).map { _ in try EngineProcess(redis: redis, arguments: arguments, waitReady: false) }
        for engine in engines {
            XCTAssertTrue(waitUntil(timeoutSeconds: 15, pollMillis: 50) { (try? engine.getWithProxyHeader("/readyz").status) == 200 },
                          engine.process.output())
        }
        let haproxy = try HAProxyProcess(template: template("deploy/haproxy/haproxy.cfg"), values: nodes(engines))
        XCTAssertEqual(try HTTPTestClient.request(port: haproxy.port, "GET", "/readyz", source: "127.0.0.5").status, 200, haproxy.output())
        // Without a PROXY header a node closes the connection: a plain client gets nothing.
        XCTAssertThrowsError(try HTTPTestClient.request(port: engines[0].port, "GET", "/healthz", timeoutSeconds: 2))
        try checkClientAddresses(balancer: haproxy.port, redis: redis)

        // Redis paused: every node says not ready with the reason, lives on, and HAProxy
        // stops sending buyers; Redis back: ready again.
        redis.pause()
        var readiness: HTTPResult?
        XCTAssertTrue(waitUntil(timeoutSeconds: 15, pollMillis: 100) {
            readiness = try? engines[0].getWithProxyHeader("/readyz")
            return readiness?.status == 503
        }, "not ready while Redis is paused: \(readiness?.body ?? "")")
        XCTAssertTrue(readiness?.body.contains(#"{"worker":0,"state":"redis_unreachable"}"#) == true, readiness?.body ?? "")
        XCTAssertTrue(readiness?.body.contains(#""status":"not_ready""#) == true, readiness?.body ?? "")
        XCTAssertEqual(try engines[0].getWithProxyHeader("/healthz").status, 200, "alive while Redis is paused")
        XCTAssertTrue(waitUntil(timeoutSeconds: 15, pollMillis: 200) {
            (try? HTTPTestClient.request(port: haproxy.port, "GET", "/readyz", timeoutSeconds: 5, source: "127.0.0.5").status) == 503
        }, haproxy.output())
        redis.resume()
        for engine in engines {
            XCTAssertTrue(waitUntil(timeoutSeconds: 20, pollMillis: 100) { (try? engine.getWithProxyHeader("/readyz").status) == 200 },
                          engine.process.output())
        }
        XCTAssertTrue(waitUntil(timeoutSeconds: 15, pollMillis: 200) {
            (try? HTTPTestClient.request(port: haproxy.port, "GET", "/readyz", timeoutSeconds: 5, source: "127.0.0.5").status) == 200
        }, haproxy.output())
    }

    func testNginxWithXForwardedFor() throws {
        let redis = try RedisServerProcess()
        let arguments = engineArguments + ["--trusted-proxy", "127.0.0.1"]
        let engines = try (0..<2).map { _ in try EngineProcess(redis: redis, arguments: arguments) }
        let nginx = try NginxProcess(template: template("deploy/nginx/flashsale.conf"), values: nodes(engines))
        XCTAssertTrue(waitUntil(timeoutSeconds: 10, pollMillis: 100) {
            (try? HTTPTestClient.request(port: nginx.port, "GET", "/readyz", source: "127.0.0.5").status) == 200
        }, nginx.output())
        try checkClientAddresses(balancer: nginx.port, redis: redis)

        // Redis down: /readyz 503 with the reason on every node, /healthz 200; back: 200.
        redis.kill9()
        for engine in engines {
            XCTAssertTrue(waitUntil(timeoutSeconds: 10, pollMillis: 100) { (try? engine.get("/readyz").status) == 503 })
            XCTAssertTrue(try engine.get("/readyz").body.contains("redis_unreachable"))
            XCTAssertEqual(try engine.get("/healthz").status, 200)
        }
        // Every node refuses readiness (nginx retries a GET's 503 elsewhere; the down node gives 502).
        let throughNginx = try HTTPTestClient.request(port: nginx.port, "GET", "/readyz", source: "127.0.0.5").status
        XCTAssertTrue([502, 503].contains(throughNginx), "\(throughNginx)")
        try redis.restart()
        XCTAssertTrue(waitUntil(timeoutSeconds: 15, pollMillis: 100) {
            (try? HTTPTestClient.request(port: nginx.port, "GET", "/readyz", source: "127.0.0.5").status) == 200
        }, nginx.output())
    }
}
