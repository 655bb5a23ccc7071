import Foundation
import TestSupport
import XCTest

/// The rules under deploy/prometheus: promtool-checked, unit-tested, and fired
/// by a real Prometheus scraping a real engine and dashboard.
final class PrometheusAlertTests: XCTestCase {
    private let rulesDirectory = repositoryRoot().appendingPathComponent("deploy/prometheus")

    func testRulesPassPromtoolAndEveryAlertHasATestAndARunbookLine() throws {
        let rules = rulesDirectory.appendingPathComponent("flashsale.rules.yml").path
        let tests = rulesDirectory.appendingPathComponent("flashsale.rules.test.yml").path
        let (checkStatus, checkOutput) = try PrometheusTools.promtool(["check", "rules", rules])
        XCTAssertEqual(checkStatus, 0, checkOutput)
        XCTAssertTrue(checkOutput.contains("SUCCESS"), checkOutput)
        let (testStatus, testOutput) = try PrometheusTools.promtool(["test", "rules", tests])
        XCTAssertEqual(testStatus, 0, testOutput)
        XCTAssertTrue(testOutput.contains("SUCCESS"), testOutput)
        let (configStatus, configOutput) = try PrometheusTools.promtool(
            ["check", "config", rulesDirectory.appendingPathComponent("prometheus.yml").path])
        XCTAssertEqual(configStatus, 0, configOutput)

        let alerts = try String(contentsOfFile: rules, encoding: .utf8).split(separator: "\n")
            .compactMap { line -> String? in
                let text = line.trimmingCharacters(in: .whitespaces)
                return text.hasPrefix("- alert: ") ? String(text.dropFirst("- alert: ".count)) : nil
            }
        XCTAssertGreaterThanOrEqual(alerts.count, 9)
        let testText = try String(contentsOfFile: tests, encoding: .utf8)
        let runbook = try String(contentsOf: repositoryRoot().appendingPathComponent("docs/operations.md"), encoding: .utf8)
        for alert in alerts {
            XCTAssertTrue(testText.contains("alertname: \(alert)\n"), "\(alert) has no promtool unit test")
            XCTAssertTrue(runbook.contains("#### \(alert)\n"), "\(alert) has no runbook entry in docs/operations.md")
        }
    }

    func testPrometheusFiresRedisUnreachableWhenRedisStops() throws {
        let prometheusBinary = try PrometheusTools.binary("prometheus")
        let redis = try RedisServerProcess()
        let engine = try EngineProcess(redis: redis)
        let dashboard = try DashboardProcess(redisURL: redis.url)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("fs-prometheus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = """
            global: {scrape_interval: 1s, evaluation_interval: 1s}
            rule_files: ["\(rulesDirectory.appendingPathComponent("flashsale.rules.yml").path)"]
            scrape_configs:
              - job_name: flashsale
                static_configs: [{targets: ["127.0.0.1:\(engine.port)"]}]
              - job_name: flashsale-dashboard
                static_configs: [{targets: ["127.0.0.1:\(dashboard.port)"]}]
            """
        let configPath = directory.appendingPathComponent("prometheus.yml").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let port = freeLoopbackPort()
        let prometheus = try ChildProcess(executable: prometheusBinary, arguments: [
            "--config.file=\(configPath)", "--storage.tsdb.path=\(directory.appendingPathComponent("data").path)",
            "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
        ])
        defer {
            prometheus.terminate()
            if prometheus.waitForExit(timeoutSeconds: 10) == nil { prometheus.kill9() }
        }
        func json(_ path: String) -> [String: Any] {
            guard let answer = try? HTTPTestClient.getUntilClose(port: port, path: path), answer.status == 200 else { return [:] }
            return (try? JSONSerialization.jsonObject(with: Data(answer.body.utf8))) as? [String: Any] ?? [:]
        }
        func alertStates() -> [String: String] {
            let alerts = ((json("/api/v1/alerts")["data"] as? [String: Any])?["alerts"] as? [[String: Any]]) ?? []
            var states: [String: String] = [:]
            for alert in alerts {
                guard let name = (alert["labels"] as? [String: Any])?["alertname"] as? String, let state = alert["state"] as? String else { continue }
                if states[name] != "firing" { states[name] = state }
            }
            return states
        }
        // Both targets scraped and healthy, nothing firing.
        XCTAssertTrue(waitUntil(timeoutSeconds: 30, pollMillis: 250) {
            let results = ((json("/api/v1/query?query=up")["data"] as? [String: Any])?["result"] as? [[String: Any]]) ?? []
            return results.count == 2 && results.allSatisfy { (($0["value"] as? [Any])?.last as? String) == "1" }
        }, "Prometheus did not scrape both targets: \(prometheus.output())")
        XCTAssertTrue(waitUntil(timeoutSeconds: 10, pollMillis: 250) {
            let results = ((json("/api/v1/query?query=flashsale_redis_up")["data"] as? [String: Any])?["result"] as? [[String: Any]]) ?? []
            return !results.isEmpty && results.allSatisfy { (($0["value"] as? [Any])?.last as? String) == "1" }
        })
        XCTAssertNil(alertStates()["FlashSaleRedisUnreachable"])

        redis.stop()
        let stopped = Date()
        var states: [String: String] = [:]
        XCTAssertTrue(waitUntil(timeoutSeconds: 60, pollMillis: 500) {
            states = alertStates()
            return states["FlashSaleRedisUnreachable"] == "firing"
        }, "alert did not fire; alerts: \(states)")
        print("prometheus: FlashSaleRedisUnreachable firing \(Int(Date().timeIntervalSince(stopped))) s after Redis stopped (for: 10s)")
        XCTAssertNil(states["FlashSaleConservationViolated"], "\(states)")
        withExtendedLifetime(engine) {}
    }
}
