import FlashSaleServer
import Foundation
import XCTest
@testable import FlashSaleRelay

final class RelayEventTests: XCTestCase {
    private func body(_ event: RelayEvent) throws -> [String: Any] {
        var json = JSONBuffer()
        WebhookBody.render(event, into: &json)
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.bytes)) as? [String: Any])
    }

    private func pairs(_ flat: [String]) -> [(String, String)] {
        stride(from: 0, to: flat.count - 1, by: 2).map { (flat[$0], flat[$0 + 1]) }
    }

    func testAV1EntryIsOneEventWithAStableIDAndItsBody() throws {
        let events = RelayEvent.decode(
            sale: "spring.launch", entryID: "1764590400123-4",
            fields: [("type", "paid"), ("order", "01JD00000000000000000000AB"), ("sku", "tee"), ("user", "u\"1"),
                     ("qty", "2"), ("at", "1764590400100")])
        XCTAssertEqual(events.count, 1)
        let event = events[0]
        XCTAssertEqual(event.webhookID, "spring%2Elaunch:1764590400123-4:01JD00000000000000000000AB")
        XCTAssertFalse(event.webhookID.contains("."))
        XCTAssertEqual(event.occurredAtMillis, 1_764_590_400_100)
        XCTAssertNil(event.onlyEndpoint)
        let json = try body(event)
        XCTAssertEqual(json["type"] as? String, "paid")
        XCTAssertEqual(json["timestamp"] as? String, "2025-12-01T12:00:00.100Z")
        let data = try XCTUnwrap(json["data"] as? [String: Any])
        XCTAssertEqual(data["sale"] as? String, "spring.launch")
        XCTAssertEqual(data["order"] as? String, "01JD00000000000000000000AB")
        XCTAssertEqual(data["user"] as? String, "u\"1")
        XCTAssertEqual(data["qty"] as? Int, 2)
        XCTAssertEqual(data["at"] as? Int, 1_764_590_400_100)

        // A v1 reserved entry has no `at`: the entry id's time is used.
        let reserved = RelayEvent.decode(sale: "s", entryID: "1764590400123-0", fields: [("type", "reserved"), ("order", "O"), ("qty", "1")])
        XCTAssertEqual(reserved.first?.occurredAtMillis, 1_764_590_400_123)
        XCTAssertTrue(RelayEvent.decode(sale: "s", entryID: "1-0", fields: [("order", "O")]).isEmpty)
        XCTAssertTrue(RelayEvent.decode(sale: "s", entryID: "1-0", fields: [("type", "paid"), ("order", "")]).isEmpty)
    }

    func testAV2EntryIsOneEventPerOrder() throws {
        let a = "01JDZ8K3Q4M5N6P7R8S9T0V1W2", b = "01JDZ8K3Q4M5N6P7R8S9T0V1W3"
        let events = RelayEvent.decode(sale: "s", entryID: "1764633600123-0", fields: [
            ("type", "reserved"), ("at", "1764633600120"), ("currency", "EUR"), (a, "s1 alice 1 1999"), (b, "s1 bob 2 3998"),
        ])
        XCTAssertEqual(events.map(\.order), [a, b])
        XCTAssertEqual(events.map(\.webhookID), ["s:1764633600123-0:\(a)", "s:1764633600123-0:\(b)"])
        let data = try XCTUnwrap(try body(events[1])["data"] as? [String: Any])
        XCTAssertEqual(data["order"] as? String, b)
        XCTAssertEqual(data["sku"] as? String, "s1")
        XCTAssertEqual(data["user"] as? String, "bob")
        XCTAssertEqual(data["qty"] as? Int, 2)
        XCTAssertEqual(data["amount"] as? Int, 3998)
        XCTAssertEqual(data["currency"] as? String, "EUR")
        XCTAssertEqual(data["at"] as? Int, 1_764_633_600_120)
        // This event alone, as stored: the entry-wide fields and its own order field.
        XCTAssertEqual(events[1].rawFields.map(\.0), ["type", "at", "currency", b])

        let fulfilled = RelayEvent.decode(sale: "s", entryID: "2-0", fields: [
            ("type", "fulfilled"), ("at", "5"), ("currency", "EUR"), (a, "s1 alice 1 1999 dhl 00340434"),
        ])
        let shipped = try XCTUnwrap(try body(fulfilled[0])["data"] as? [String: Any])
        XCTAssertEqual(shipped["carrier"] as? String, "dhl")
        XCTAssertEqual(shipped["tracking"] as? String, "00340434")
        let unmatched = RelayEvent.decode(sale: "s", entryID: "3-0", fields: [
            ("type", "payment_unmatched"), ("at", "6"), ("currency", "EUR"), (a, "s1 alice 1 1999 expired"),
        ])
        XCTAssertEqual(try XCTUnwrap(try body(unmatched[0])["data"] as? [String: Any])["status"] as? String, "expired")

        // An event of no order (the reaper's): one event, no order in the body.
        let reaped = RelayEvent.decode(sale: "s", entryID: "4-0", fields: [
            ("type", "lease_reaped"), ("at", "7"), ("worker", "n1/0"), ("sku", "s1"), ("units", "12"),
        ])
        XCTAssertEqual(reaped.count, 1)
        XCTAssertNil(reaped[0].order)
        XCTAssertEqual(reaped[0].webhookID, "s:4-0")
        let reapedData = try XCTUnwrap(try body(reaped[0])["data"] as? [String: Any])
        XCTAssertNil(reapedData["order"])
        XCTAssertEqual(reapedData["units"] as? Int, 12)
        XCTAssertEqual(reapedData["worker"] as? String, "n1/0")
    }

    func testADeadLetterRedeliversTheSameEventToItsEndpointWithTheSameID() throws {
        let a = "01JDZ8K3Q4M5N6P7R8S9T0V1W2", b = "01JDZ8K3Q4M5N6P7R8S9T0V1W3"
        let original = RelayEvent.decode(sale: "s", entryID: "5-1", fields: [
            ("type", "paid"), ("at", "9"), ("currency", "EUR"), (a, "s1 alice 1 1999"), (b, "s1 bob 1 1999"),
        ])[1]
        let job = DeliveryJob(event: original)
        job.attempts = 3
        job.lastStatus = 500
        job.lastError = "HTTP 500"
        let dead = pairs(DeadLetter.fields(job, endpoint: "payments", nowMillis: 99))
        let fields = Dictionary(dead, uniquingKeysWith: { first, _ in first })
        XCTAssertEqual(fields["endpoint"], "payments")
        XCTAssertEqual(fields["attempts"], "3")
        XCTAssertEqual(fields["status"], "500")
        XCTAssertEqual(fields["entry"], "5-1")
        XCTAssertEqual(fields["webhook_id"], "s:5-1:\(b)")
        XCTAssertEqual(fields["event.type"], "paid")
        XCTAssertEqual(fields["event.\(b)"], "s1 bob 1 1999")
        XCTAssertNil(fields["event.\(a)"], "a dead letter holds its own order only")

        let back = pairs(try XCTUnwrap(DeadLetter.redelivery(dead)))
        let redelivered = RelayEvent.decode(sale: "s", entryID: "9-0", fields: back)
        XCTAssertEqual(redelivered.count, 1)
        XCTAssertEqual(redelivered[0].webhookID, original.webhookID)
        XCTAssertEqual(redelivered[0].onlyEndpoint, "payments")
        XCTAssertEqual(redelivered[0].order, b)
        XCTAssertEqual(redelivered[0].occurredAtMillis, 9)
        XCTAssertEqual(redelivered[0].rawFields.map(\.0), original.rawFields.map(\.0))
    }
}
