import Foundation
import Testing
@testable import FlashSaleServer

@Suite struct SaleBodyTests {
    let valid = #"{"starts_at":"2025-06-01T12:00:00Z","ends_at":"2025-06-01T14:00:00+01:00","per_user_limit":2,"reservation_ttl_s":600,"items":[{"sku":"a","stock":10},{"sku":"b","stock":0}]}"#

    func parse(_ text: String) -> Result<SaleBody, BadRequest> {
        Result { () throws(BadRequest) -> SaleBody in try SaleBody.parse(Array(text.utf8)) }
    }

    func message(_ text: String) -> String? {
        if case .failure(let error) = parse(text) { return error.message }
        return nil
    }

    func replacing(_ old: String, _ new: String) -> String {
        precondition(valid.contains(old))
        return valid.replacingOccurrences(of: old, with: new)
    }

    @Test func parsesAValidDefinition() throws {
        let sale = try parse(valid).get()
        #expect(sale.startsAtMillis == 1_748_779_200_000)
        #expect(sale.endsAtMillis == 1_748_779_200_000 + 3_600_000)
        #expect(sale.perUserLimit == 2)
        #expect(sale.reservationTTLSeconds == 600)
        #expect(sale.items == [.init(sku: "a", stock: 10), .init(sku: "b", stock: 0)])
        // Its own JSON body parses back to the same definition.
        #expect(try SaleBody.parse(sale.jsonBody()) == sale)
    }

    @Test func validatesDates() {
        #expect(message(replacing("2025-06-01T12:00:00Z", "2025-06-01 12:00")) == "starts_at must be an RFC 3339 date-time such as 2025-06-01T12:00:00Z")
        #expect(message(replacing("2025-06-01T12:00:00Z", "2025-02-30T12:00:00Z")) == "starts_at must be an RFC 3339 date-time such as 2025-06-01T12:00:00Z")
        #expect(message(replacing("2025-06-01T14:00:00+01:00", "2025-06-01T12:59:59+01:00")) == "ends_at must be after starts_at")
        #expect(message(replacing("2025-06-01T14:00:00+01:00", "tomorrow")) == "ends_at must be an RFC 3339 date-time such as 2025-06-01T13:00:00Z")
    }

    @Test func validatesRanges() {
        #expect(message(replacing(#""per_user_limit":2"#, #""per_user_limit":0"#)) == "per_user_limit must be between 1 and 1000000")
        #expect(message(replacing(#""reservation_ttl_s":600"#, #""reservation_ttl_s":0"#)) == "reservation_ttl_s must be between 1 and 86400")
        #expect(message(replacing(#""reservation_ttl_s":600"#, #""reservation_ttl_s":86401"#)) == "reservation_ttl_s must be between 1 and 86400")
        #expect(message(replacing(#""stock":10"#, #""stock":-1"#)) == "items[0].stock must be between 0 and 1000000000")
        #expect(message(replacing(#""stock":10"#, #""stock":1000000001"#)) == "items[0].stock must be between 0 and 1000000000")
        #expect(message(replacing(#""stock":10"#, #""stock":99999999999999999999999"#)) == "items[0].stock is out of range")
        #expect(message(replacing(#""per_user_limit":2"#, #""per_user_limit":1.5"#)) == "per_user_limit must be an integer without fraction or exponent")
    }

    @Test func validatesItems() {
        #expect(message(replacing(#"[{"sku":"a","stock":10},{"sku":"b","stock":0}]"#, "[]")) == "items must not be empty")
        #expect(message(replacing(#""sku":"b""#, #""sku":"a""#)) == "items[1].sku \"a\" is listed twice")
        #expect(message(replacing(#""sku":"b""#, #""sku":"b c""#)) == "items[1].sku must be 1 to 64 of letters, digits, '.', '_' and '-'")
        #expect(message(replacing(#""sku":"b""#, #""sku":"b","color":"red""#)) == "unknown field \"color\" in items[1]")
    }

    @Test func validatesShape() {
        #expect(message("") == "request body is empty; expected a sale definition")
        #expect(message("{") == "malformed JSON: unexpected end of body")
        #expect(message(valid + "x") == "unexpected data after the JSON object")
        #expect(message(replacing(#""items":"#, #""items":{},"x":"#)) == "items must be an array")
        #expect(message("[]") == "request body must be a JSON object")
        #expect(message(replacing(#""per_user_limit":2,"#, "")) == "missing field \"per_user_limit\"")
        #expect(message(replacing(#""per_user_limit":2"#, #""per_user_limit":2,"perUserLimit":3"#)) == "unknown field \"perUserLimit\"")
        #expect(message(replacing(#""per_user_limit":2"#, #""per_user_limit":"2""#)) == "per_user_limit must be an integer")
        #expect(message(replacing(#""per_user_limit":2"#, #""per_user_limit":null"#))?.hasPrefix("per_user_limit must be an integer") == true)
        #expect(message(replacing(#""stock":10"#, #""stock":"10""#)) == "items[0].stock must be an integer")
    }
}

@Suite struct RFC3339Tests {
    @Test func parsesVariants() {
        #expect(RFC3339.parse("1970-01-01T00:00:00Z") == 0)
        #expect(RFC3339.parse("1970-01-01t00:00:01.5z") == 1500)
        #expect(RFC3339.parse("1970-01-01T01:00:00+01:00") == 0)
        #expect(RFC3339.parse("1969-12-31T19:00:00-05:00") == 0)
        #expect(RFC3339.parse("2024-02-29T00:00:00Z") == 1_709_164_800_000)
        #expect(RFC3339.parse("2023-02-29T00:00:00Z") == nil)
        #expect(RFC3339.parse("2025-06-01T24:00:00Z") == nil)
        #expect(RFC3339.parse("2025-06-01T12:00:00") == nil)
        #expect(RFC3339.parse("2025-06-01T12:00:00.Z") == nil)
        #expect(RFC3339.parse("2025-06-01T12:00:00Zjunk") == nil)
    }

    @Test func refusesInstantsOutside1970To9999() {
        #expect(RFC3339.parse("1969-12-31T23:59:59.999Z") == nil)
        #expect(RFC3339.parse("1969-06-01T00:00:00Z") == nil)
        #expect(RFC3339.parse("0000-01-01T00:00:00Z") == nil)
        #expect(RFC3339.parse("0000-01-01T00:00:00+01:00") == nil)  // would be year -1
        #expect(RFC3339.parse("1970-01-01T00:30:00+01:00") == nil)  // 1969 in UTC
        #expect(RFC3339.parse("9999-12-31T23:59:59.999-00:01") == nil)  // year 10000 in UTC
        #expect(RFC3339.parse("9999-12-31T23:59:60Z") == nil)  // the leap second folds into 10000
        #expect(RFC3339.parse("9999-12-31T23:59:59.999Z") == RFC3339.maxMillis)
        #expect(RFC3339.string(fromMillis: RFC3339.maxMillis) == "9999-12-31T23:59:59.999Z")
        #expect(RFC3339.parse("1970-01-01T00:00:00Z") == 0)
    }

    @Test func formatsAndRoundTrips() {
        #expect(RFC3339.string(fromMillis: 0) == "1970-01-01T00:00:00.000Z")
        #expect(RFC3339.string(fromMillis: 1_709_164_800_123) == "2024-02-29T00:00:00.123Z")
        #expect(RFC3339.string(fromMillis: -1) == "1969-12-31T23:59:59.999Z")
        for millis: Int64 in [0, 1, 999, 86_399_999, 951_782_400_000, 4_102_444_799_999, 1_750_000_000_007] {
            #expect(RFC3339.parse(RFC3339.string(fromMillis: millis)) == millis)
        }
    }
}
