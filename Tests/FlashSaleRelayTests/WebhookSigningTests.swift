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

    func testEntryDecodesToAnEventWithAStableIDAndItsBody() throws {
        let event = try XCTUnwrap(RelayEvent.decode(
            sale: "spring.launch", entryID: "1764590400123-4",
            fields: [("type", "paid"), ("order", "01JD00000000000000000000AB"), ("sku", "tee"), ("user", "u\"1"),
                     ("qty", "2"), ("at", "1764590400100")]))
        XCTAssertEqual(event.webhookID, "fs_spring%2Elaunch_1764590400123-4")
        XCTAssertFalse(event.webhookID.contains("."))
        XCTAssertEqual(event.occurredAtMillis, 1_764_590_400_100)
        XCTAssertNil(event.onlyEndpoint)
        var json = JSONBuffer()
        WebhookBody.render(event, into: &json)
        let body = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.bytes)) as? [String: Any])
        XCTAssertEqual(body["type"] as? String, "paid")
        XCTAssertEqual(body["timestamp"] as? String, "2025-12-01T12:00:00.100Z")
        let data = try XCTUnwrap(body["data"] as? [String: Any])
        XCTAssertEqual(data["sale"] as? String, "spring.launch")
        XCTAssertEqual(data["order"] as? String, "01JD00000000000000000000AB")
        XCTAssertEqual(data["user"] as? String, "u\"1")
        XCTAssertEqual(data["qty"] as? Int, 2)
        XCTAssertEqual(data["at"] as? Int, 1_764_590_400_100)

        // A reserved entry has no `at`: the entry id's time is used.
        let reserved = try XCTUnwrap(RelayEvent.decode(sale: "s", entryID: "1764590400123-0",
                                                       fields: [("type", "reserved"), ("order", "O"), ("qty", "1")]))
        XCTAssertEqual(reserved.occurredAtMillis, 1_764_590_400_123)
        XCTAssertNil(RelayEvent.decode(sale: "s", entryID: "1-0", fields: [("order", "O")]))
        XCTAssertNil(RelayEvent.decode(sale: "s", entryID: "1-0", fields: [("type", "paid")]))
    }

    func testADeadLetterRedeliversTheSameEventToItsEndpointWithTheSameID() throws {
        let event = try XCTUnwrap(RelayEvent.decode(sale: "s", entryID: "5-1",
                                                    fields: [("type", "paid"), ("order", "O"), ("qty", "1")]))
        let job = DeliveryJob(event: event)
        job.attempts = 3
        job.lastStatus = 500
        job.lastError = "HTTP 500"
        let dead = DeadLetter.fields(job, endpoint: "payments", nowMillis: 99)
        var pairs: [(String, String)] = []
        var index = 0
        while index + 1 < dead.count { pairs.append((dead[index], dead[index + 1])); index += 2 }
        let fields = Dictionary(pairs, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(fields["endpoint"], "payments")
        XCTAssertEqual(fields["attempts"], "3")
        XCTAssertEqual(fields["status"], "500")
        XCTAssertEqual(fields["entry"], "5-1")
        XCTAssertEqual(fields["event.type"], "paid")
        let again = try XCTUnwrap(DeadLetter.redelivery(pairs))
        var againPairs: [(String, String)] = []
        index = 0
        while index + 1 < again.count { againPairs.append((again[index], again[index + 1])); index += 2 }
        let redelivered = try XCTUnwrap(RelayEvent.decode(sale: "s", entryID: "9-0", fields: againPairs))
        XCTAssertEqual(redelivered.webhookID, event.webhookID)
        XCTAssertEqual(redelivered.onlyEndpoint, "payments")
        XCTAssertEqual(redelivered.type, "paid")
        XCTAssertEqual(redelivered.fields.map(\.0), ["qty"])
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
