import FlashSaleServer
import Foundation
import XCTest
@testable import FlashSaleRelay

final class WebhookSigningTests: XCTestCase {
    /// The Standard Webhooks reference vector (secret, id, timestamp, payload → signature).
    func testSignatureMatchesTheStandardWebhooksVector() throws {
        let secret = try WebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let signer = WebhookSigner(secrets: [secret])
        XCTAssertEqual(
            signer.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8)),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    func testEverySecretSignsSpaceSeparated() throws {
        let old = try WebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let new = try WebhookSecret("whsec_" + Data(repeating: 9, count: 32).base64EncodedString())
        let both = WebhookSigner(secrets: [new, old]).signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
                                                                body: Array(#"{"test": 2432232314}"#.utf8))
        let parts = both.split(separator: " ")
        XCTAssertEqual(parts.count, 2)
        XCTAssertEqual(parts[1], "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        XCTAssertTrue(parts[0].hasPrefix("v1,"))
        XCTAssertNotEqual(parts[0], parts[1])
    }

    func testSecretsShorterThan24BytesOrLongerThan64AreRefused() throws {
        XCTAssertEqual(try WebhookSecret("whsec_" + Data(repeating: 7, count: 24).base64EncodedString()).key.count, 24)
        XCTAssertEqual(try WebhookSecret("whsec_" + Data(repeating: 7, count: 64).base64EncodedString()).key.count, 64)
        XCTAssertThrowsError(try WebhookSecret("whsec_" + Data(repeating: 7, count: 23).base64EncodedString())) { error in
            XCTAssertTrue("\(error)".contains("at least 24"), "\(error)")
        }
        XCTAssertThrowsError(try WebhookSecret("whsec_" + Data(repeating: 7, count: 65).base64EncodedString()))
        XCTAssertThrowsError(try WebhookSecret(Data(repeating: 7, count: 32).base64EncodedString()))
    }

    func testBreakerOpensAfterConsecutiveFailuresAndProbesOnce() {
        var breaker = CircuitBreaker(failureThreshold: 3, openMillis: 100)
        for _ in 0..<2 {
            XCTAssertTrue(breaker.admit(now: 0))
            breaker.failed(now: 0)
        }
        XCTAssertEqual(breaker.state, .closed)
        XCTAssertTrue(breaker.admit(now: 0))
        breaker.failed(now: 10)
        XCTAssertEqual(breaker.state, .open)
        XCTAssertFalse(breaker.admit(now: 50))
        XCTAssertTrue(breaker.admit(now: 110))  // the probe
        XCTAssertEqual(breaker.state, .halfOpen)
        XCTAssertFalse(breaker.admit(now: 111))  // one probe at a time
        breaker.failed(now: 120)
        XCTAssertEqual(breaker.state, .open)
        XCTAssertTrue(breaker.admit(now: 221))
        breaker.succeeded()
        XCTAssertEqual(breaker.state, .closed)
        XCTAssertEqual(breaker.opened, 2)
    }

    func testRetryScheduleJittersWithinTwentyPercentAndEnds() {
        let schedule = RetrySchedule(delaysMillis: [1000, 5000])
        var random = SystemRandomNumberGenerator()
        XCTAssertEqual(schedule.maxAttempts, 3)
        for _ in 0..<100 {
            let first = schedule.delay(afterAttempts: 1, using: &random)!
            XCTAssertTrue((800...1200).contains(first), "\(first)")
            let second = schedule.delay(afterAttempts: 2, using: &random)!
            XCTAssertTrue((4000...6000).contains(second), "\(second)")
        }
        XCTAssertNil(schedule.delay(afterAttempts: 3, using: &random))
    }
}
