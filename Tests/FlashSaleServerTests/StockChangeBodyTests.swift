import Testing
@testable import FlashSaleServer

@Suite struct StockChangeBodyTests {
    let body = BodyParsing(parse: StockChangeBody.parse)
    func parse(_ text: String) -> Result<StockChangeBody, BadRequest> { body.result(text) }
    func message(_ text: String) -> String? { body.message(text) }

    @Test func exactlyOneOfAddAndRemove() {
        #expect(parse(#"{"add":5}"#) == .success(.add(5)))
        #expect(parse(#" { "remove" : 1000000000 } "#) == .success(.remove(1_000_000_000)))
        #expect(StockChangeBody.add(5).delta == 5)
        #expect(StockChangeBody.remove(7).delta == -7)
        #expect(StockChangeBody.remove(7).action == "stock_remove")
        #expect(message("{}") == "missing field: expected {\"add\": N} or {\"remove\": N}")
        #expect(message(#"{"add":1,"remove":1}"#) == "give exactly one of \"add\" and \"remove\"")
        #expect(message(#"{"add":1,"add":2}"#) == "duplicate field \"add\"")
        #expect(message(#"{"set":1}"#)?.hasPrefix("unknown field") == true)
        #expect(message("")?.hasPrefix("request body is empty") == true)
    }

    @Test func unitsAreAnIntegerFrom1ToABillion() {
        #expect(message(#"{"add":0}"#) == "\"add\" must be between 1 and 1000000000, got 0")
        #expect(message(#"{"remove":-3}"#) == "\"remove\" must be between 1 and 1000000000, got -3")
        #expect(message(#"{"add":1000000001}"#) == "\"add\" must be between 1 and 1000000000, got 1000000001")
        #expect(message(#"{"add":1.5}"#) == "\"add\" must be an integer without fraction or exponent")
        #expect(message(#"{"add":"5"}"#) == "\"add\" must be an integer")
        #expect(message(#"{"add":99999999999999999999}"#) == "\"add\" is out of range (must be between 1 and 1000000000)")
    }
}
