import Foundation
import TestSupport
import XCTest

/// Issue 4: Redis refused at start — a clear log line, retries, `/readyz` 503 (and
/// purchases 503 + Retry-After; `/healthz` 200: the process lives) until Redis is up,
/// then ready without a restart.
final class RedisRefusedAtStartTests: XCTestCase {
    func testEngineLogsRetriesAndBecomesHealthyWhenRedisAppears() throws {
        let redisPort = freeLoopbackPort()
        let port = freeLoopbackPort()
        let engine = try ChildProcess(
            executable: builtBinary("flashsale"),
            arguments: ["serve", "--host", "127.0.0.1", "--port", String(port), "--redis", "redis://127.0.0.1:\(redisPort)",
                        "--workers", "2", "--node-id", "e2e-refused-\(port)", "--trust-user-header", "--log-level", "info"],
            environment: Secrets.environment)
        defer {
            engine.terminate()
            if engine.waitForExit(timeoutSeconds: 10) == nil { engine.kill9() }
        }

        // Serving, but not ready while nothing listens on the Redis port.
        XCTAssertTrue(waitUntil(timeoutSeconds: 10, pollMillis: 50) {
            (try? HTTPTestClient.request(port: port, "GET", "/healthz", timeoutSeconds: 2))?.status == 200
        }, engine.output())
        let readiness = try HTTPTestClient.request(port: port, "GET", "/readyz")
        XCTAssertEqual(readiness.status, 503)
        XCTAssertTrue(readiness.body.contains(#"{"worker":0,"state":"redis_unreachable"}"#), readiness.body)
        XCTAssertTrue(readiness.body.contains(#"{"worker":1,"state":"redis_unreachable"}"#), readiness.body)
        let purchase = try HTTPTestClient.request(
            port: port, "POST", "/v1/sales/s1/purchases",
            headers: ["Content-Type": "application/json", "X-User-Id": "u1"], body: #"{"sku":"a","qty":1}"#)
        XCTAssertEqual(purchase.status, 503, purchase.body)
        XCTAssertEqual(purchase.errorCode, "overloaded")
        XCTAssertNotNil(purchase.headers["retry-after"])
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { engine.output().contains("redis unreachable") }, engine.output())
        XCTAssertTrue(engine.output().contains("127.0.0.1:\(redisPort)"), "the log line names the Redis it tried")
        // Retrying logs once per change, not once per attempt.
        Thread.sleep(forTimeInterval: 1)
        let warnings = engine.output().components(separatedBy: "redis unreachable").count - 1
        XCTAssertLessThanOrEqual(warnings, 2, "one warning per worker: \(engine.output())")

        // Redis appears: the engine reconnects by itself and turns ready.
        let redis = try RedisServerProcess(port: redisPort)
        XCTAssertTrue(waitUntil(timeoutSeconds: 15, pollMillis: 50) {
            (try? HTTPTestClient.request(port: port, "GET", "/readyz", timeoutSeconds: 2).status) == 200
        }, engine.output())
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { engine.output().contains("redis up") }, engine.output())
        XCTAssertEqual(try redis.client().command("PING"), .status("PONG"))
    }
}
