import Foundation
import XCTest
@testable import FlashSaleRelay

final class RelayConfigurationTests: XCTestCase {
    private let secret = "whsec_" + Data(repeating: 7, count: 24).base64EncodedString()

    private func parse(_ json: String) throws -> RelayConfiguration {
        try RelayConfiguration.parse(Data(json.utf8))
    }

    private func assertRefused(_ json: String, mentions parts: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try parse(json), file: file, line: line) { error in
            for part in parts { XCTAssertTrue("\(error)".contains(part), "\(error) lacks \(part)", file: file, line: line) }
        }
    }

    func testAFullConfigurationIsRead() throws {
        let config = try parse("""
            {"endpoints":[{"name":"payments","url":"http://127.0.0.1:9000/hooks?x=1","secrets":["\(secret)","\(secret)"],
              "events":["paid","cancelled"],"timeout_ms":2500,"concurrency":4},
              {"name":"all","url":"http://localhost:9001","secrets":["\(secret)"]}],
             "retry_schedule_ms":[100,200],"claim_idle_ms":5000,"read_count":50,"max_pending_events":99,
             "metrics_port":0,"breaker_failures":3,"breaker_open_ms":700}
            """)
        XCTAssertEqual(config.endpoints.count, 2)
        let payments = config.endpoints[0]
        XCTAssertEqual(payments.url.host, "127.0.0.1")
        XCTAssertEqual(payments.url.port, 9000)
        XCTAssertEqual(payments.url.path, "/hooks?x=1")
        XCTAssertEqual(payments.secrets.count, 2)
        XCTAssertTrue(payments.wants("paid"))
        XCTAssertFalse(payments.wants("reserved"))
        XCTAssertEqual(payments.timeoutMillis, 2500)
        XCTAssertEqual(payments.concurrency, 4)
        XCTAssertTrue(config.endpoints[1].wants("reserved"))
        XCTAssertEqual(config.endpoints[1].url.path, "/")
        XCTAssertEqual(config.retryScheduleMillis, [100, 200])
        XCTAssertEqual(config.claimIdleMillis, 5000)
        XCTAssertEqual(config.readCount, 50)
        XCTAssertEqual(config.maxPendingEvents, 99)
        XCTAssertEqual(config.breakerFailures, 3)
        XCTAssertEqual(config.breakerOpenMillis, 700)
        XCTAssertEqual(config.metricsPort, 0)
    }

    func testDefaultsDocumented() throws {
        let config = try parse(#"{"endpoints":[{"name":"a","url":"http://127.0.0.1:1","secrets":["\#(secret)"]}]}"#)
        XCTAssertEqual(config.retryScheduleMillis, [5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000, 28_800_000])
        XCTAssertEqual(config.claimIdleMillis, 60_000)
        XCTAssertEqual(config.endpoints[0].timeoutMillis, 10_000)
        XCTAssertEqual(config.endpoints[0].concurrency, 16)
    }

    func testBadConfigurationsNameTheField() {
        let ok = #"{"name":"a","url":"http://127.0.0.1:1","secrets":["\#(secret)"]}"#
        assertRefused("[]", mentions: ["must be a JSON object"])
        assertRefused("{", mentions: ["not valid JSON"])
        assertRefused("{}", mentions: ["endpoints", "required"])
        assertRefused(#"{"endpoints":[]}"#, mentions: ["endpoints", "non-empty"])
        assertRefused(#"{"endpoints":[\#(ok)],"colour":1}"#, mentions: ["colour: unknown field"])
        assertRefused(#"{"endpoints":[{"name":"a","url":"http://127.0.0.1:1","secrets":["\#(secret)"],"colour":1}]}"#,
                      mentions: ["endpoints[0].colour: unknown field"])
        assertRefused(#"{"endpoints":[{"url":"http://127.0.0.1:1","secrets":["\#(secret)"]}]}"#, mentions: ["endpoints[0].name"])
        assertRefused(#"{"endpoints":[{"name":"a b","url":"http://127.0.0.1:1","secrets":["\#(secret)"]}]}"#, mentions: ["endpoints[0].name"])
        assertRefused(#"{"endpoints":[\#(ok),\#(ok)]}"#, mentions: ["endpoints[1].name", "another endpoint"])
        assertRefused(#"{"endpoints":[{"name":"a","url":"https://127.0.0.1:1","secrets":["\#(secret)"]}]}"#,
                      mentions: ["endpoints[0].url", "only http://"])
        assertRefused(#"{"endpoints":[{"name":"a","url":"http://hooks.example.com/x","secrets":["\#(secret)"]}]}"#,
                      mentions: ["endpoints[0].url", "IP address"])
        assertRefused(#"{"endpoints":[{"name":"a","url":"http://127.0.0.1:1"}]}"#, mentions: ["endpoints[0].secrets", "required"])
        assertRefused(#"{"endpoints":[{"name":"a","url":"http://127.0.0.1:1","secrets":["abc"]}]}"#,
                      mentions: ["endpoints[0].secrets[0]", "whsec_"])
        let short = "whsec_" + Data(repeating: 1, count: 23).base64EncodedString()
        assertRefused(#"{"endpoints":[{"name":"a","url":"http://127.0.0.1:1","secrets":["\#(secret)","\#(short)"]}]}"#,
                      mentions: ["endpoints[0].secrets[1]", "23 bytes", "at least 24"])
        assertRefused(#"{"endpoints":[{"name":"a","url":"http://127.0.0.1:1","secrets":["whsec_!!"]}]}"#,
                      mentions: ["endpoints[0].secrets[0]", "base64"])
        assertRefused(#"{"endpoints":[{"name":"a","url":"http://127.0.0.1:1","secrets":["\#(secret)"],"events":[]}]}"#,
                      mentions: ["endpoints[0].events"])
        assertRefused(#"{"endpoints":[{"name":"a","url":"http://127.0.0.1:1","secrets":["\#(secret)"],"timeout_ms":"5"}]}"#,
                      mentions: ["endpoints[0].timeout_ms", "integer"])
        assertRefused(#"{"endpoints":[{"name":"a","url":"http://127.0.0.1:1","secrets":["\#(secret)"],"concurrency":0}]}"#,
                      mentions: ["endpoints[0].concurrency"])
        assertRefused(#"{"endpoints":[\#(ok)],"retry_schedule_ms":[100,-1]}"#, mentions: ["retry_schedule_ms[1]"])
        assertRefused(#"{"endpoints":[\#(ok)],"claim_idle_ms":true}"#, mentions: ["claim_idle_ms"])
        assertRefused(#"{"endpoints":[\#(ok)],"read_count":1.5}"#, mentions: ["read_count"])
    }
}
