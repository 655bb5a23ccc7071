import FlashSaleCore
import Testing
@testable import FlashSaleServer

/// `currency` and `price` in a sale body: optional together (a sale without them has
/// currency `XXX` and no prices), each refusal naming the field.
@Suite struct SaleBodyMoneyTests {
    let head = #"{"starts_at":"2025-06-01T12:00:00Z","ends_at":"2025-06-01T14:00:00Z","per_user_limit":2,"reservation_ttl_s":600"#

    func body(currency: String?, prices: [String?]) -> String {
        let items = prices.enumerated().map { index, price in
            #"{"sku":"s\#(index)","stock":10\#(price.map { #","price":\#($0)"# } ?? "")}"#
        }.joined(separator: ",")
        return head + (currency.map { #","currency":"\#($0)""# } ?? "") + #","items":[\#(items)]}"#
    }

    let parser = BodyParsing(parse: SaleBody.parse)
    func parse(_ text: String) -> Result<SaleBody, BadRequest> { parser.result(text) }
    func message(_ text: String) -> String? { parser.message(text) }

    @Test func pricesAndCurrencyParse() throws {
        let sale = try parse(body(currency: "EUR", prices: ["1999", "1000000000000"])).get()
        #expect(sale.currency == "EUR")
        #expect(sale.items.map(\.price) == [1999, 1_000_000_000_000])
        #expect(sale.config(name: "m").currency == "EUR")
        #expect(sale.config(name: "m").validate() == nil)
        #expect(try SaleBody.parse(sale.jsonBody()) == sale, "its own body parses back")
        let jpy = try parse(body(currency: "JPY", prices: ["1"])).get()
        #expect(jpy.items.map(\.price) == [1])
    }

    @Test func withoutMoneyTheSaleHasNoPricesAndCurrencyXXX() throws {
        let plain = try parse(body(currency: nil, prices: [nil, nil])).get()
        #expect(plain.currency == "XXX")
        #expect(plain.items.map(\.price) == [0, 0])
        #expect(try parse(body(currency: "XXX", prices: [nil])).get() == SaleBody(
            startsAtMillis: plain.startsAtMillis, endsAtMillis: plain.endsAtMillis, perUserLimit: 2, reservationTTLSeconds: 600,
            items: [SaleItem(sku: "s0", stock: 10)]))
    }

    @Test func badPricesAreRefusedNamingTheItem() {
        let range = "must be an integer between 1 and 1000000000000 (minor units)"
        #expect(message(body(currency: "EUR", prices: ["0"])) == "items[0].price \(range), got 0")
        #expect(message(body(currency: "EUR", prices: ["5", "-1"])) == "items[1].price \(range), got -1")
        #expect(message(body(currency: "EUR", prices: ["1000000000001"])) == "items[0].price \(range), got 1000000000001")
        #expect(message(body(currency: "EUR", prices: ["19.99"])) == "items[0].price must be an integer without fraction or exponent")
        #expect(message(body(currency: "EUR", prices: ["1e3"])) == "items[0].price must be an integer without fraction or exponent")
        #expect(message(body(currency: "EUR", prices: ["\"1999\""])) == "items[0].price must be an integer")
        #expect(message(body(currency: "EUR", prices: ["99999999999999999999"])) == "items[0].price is out of range")
        #expect(message(body(currency: "EUR", prices: ["5", nil])) == "items[1].price is required when the sale has a currency")
        #expect(message(body(currency: nil, prices: ["5"]))?.hasPrefix("items[].price needs the sale's currency") == true)
        #expect(message(body(currency: "XXX", prices: ["5"]))?.hasPrefix("items[].price needs the sale's currency") == true)
        let twice = head + #","currency":"EUR","items":[{"sku":"a","stock":1,"price":1,"price":2}]}"#
        #expect(message(twice) == "duplicate field \"price\" in items[0]")
    }

    @Test func badCurrenciesAreRefusedNamingTheField() {
        let shape = "currency must be an ISO 4217 code of exactly 3 upper-case letters A-Z, e.g. EUR"
        #expect(message(body(currency: "eur", prices: ["1"])) == "\(shape), got \"eur\"")
        #expect(message(body(currency: "EURO", prices: ["1"])) == "\(shape), got \"EURO\"")
        #expect(message(body(currency: "EU", prices: ["1"])) == "\(shape), got \"EU\"")
        #expect(message(body(currency: "E1R", prices: ["1"])) == "\(shape), got \"E1R\"")
        #expect(message(body(currency: "ABC", prices: ["1"])) == "currency \"ABC\" is not an active ISO 4217 code")
        #expect(message(head + #","currency":978,"items":[{"sku":"a","stock":1,"price":1}]}"#) == "currency must be a string")
        #expect(message(head + #","currency":"EUR","currency":"USD","items":[{"sku":"a","stock":1,"price":1}]}"#)
            == "duplicate field \"currency\"")
    }
}
