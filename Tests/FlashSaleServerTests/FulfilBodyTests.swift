import Testing
@testable import FlashSaleServer

@Suite struct FulfilBodyTests {
    let body = BodyParsing(parse: FulfilBody.parse)
    func parse(_ text: String) -> Result<FulfilBody, BadRequest> { body.result(text) }
    func message(_ text: String) -> String? { body.message(text) }

    @Test func parsesBothFieldsInAnyOrder() {
        #expect(parse(#"{"carrier":"DHL","tracking":"JD014600"}"#) == .success(FulfilBody(carrier: "DHL", tracking: "JD014600")))
        #expect(parse(" { \"tracking\" : \"1Z#99/a\" , \"carrier\" : \"La_Poste!\" } ")
            == .success(FulfilBody(carrier: "La_Poste!", tracking: "1Z#99/a")))
        let longest = String(repeating: "x", count: 64)
        #expect(parse(#"{"carrier":"\#(longest)","tracking":"~"}"#) == .success(FulfilBody(carrier: longest, tracking: "~")))
    }

    @Test func refusalsNameTheField() {
        #expect(message("")?.hasPrefix("request body is empty") == true)
        #expect(message("[]")?.hasPrefix("request body must be a JSON object") == true)
        #expect(message(#"{"tracking":"1"}"#) == "missing field \"carrier\"")
        #expect(message(#"{"carrier":"DHL"}"#) == "missing field \"tracking\"")
        let rule = "must be 1 to 64 printable ASCII characters without space, '\"' or '\\'"
        #expect(message(#"{"carrier":"","tracking":"1"}"#) == "\"carrier\" \(rule)")
        #expect(message(#"{"carrier":"D H L","tracking":"1"}"#) == "\"carrier\" \(rule)")
        #expect(message(#"{"carrier":"DHL","tracking":"\#(String(repeating: "9", count: 65))"}"#) == "\"tracking\" \(rule)")
        #expect(message(#"{"carrier":"DHL","tracking":"a\"b"}"#) == "\"tracking\" \(rule)", "an escaped quote")
        #expect(message(#"{"carrier":"DHL","tracking":"é"}"#) == "\"tracking\" \(rule)", "not ASCII")
        #expect(message(#"{"carrier":7,"tracking":"1"}"#) == "\"carrier\" must be a string")
        #expect(message(#"{"carrier":"DHL","carrier":"UPS","tracking":"1"}"#) == "duplicate field \"carrier\"")
        #expect(message(#"{"carrier":"DHL","tracking":"1","note":"x"}"#)?.hasPrefix("unknown field") == true)
        #expect(message(#"{"carrier":"DHL","tracking":"1"} x"#) == "unexpected data after the JSON object")
    }
}
