import Testing
@testable import FlashSaleServer

@Suite struct PurchaseBodyTests {
    func parse(_ text: String) -> Result<PurchaseBody, BadRequest> {
        Result { () throws(BadRequest) -> PurchaseBody in try PurchaseBody.parse(Array(text.utf8)) }
    }

    func message(_ text: String) -> String? {
        if case .failure(let error) = parse(text) { return error.message }
        return nil
    }

    @Test func parsesTheDocumentedShape() {
        #expect(parse(#"{"sku":"sku-1","qty":1}"#) == .success(PurchaseBody(sku: "sku-1", qty: 1)))
        #expect(parse(" {\n\t\"qty\" : 3 , \"sku\" : \"A.b_c-9\" }\r\n") == .success(PurchaseBody(sku: "A.b_c-9", qty: 3)))
        #expect(parse(#"{"sku":"x"}"#) == .success(PurchaseBody(sku: "x", qty: 1)))
        #expect(parse(#"{"sku":"x","qty":1000000}"#) == .success(PurchaseBody(sku: "x", qty: 1_000_000)))
    }

    @Test func rejectsMissingAndWrongTypes() {
        #expect(message("") == "request body is empty; expected {\"sku\":\"…\",\"qty\":1}")
        #expect(message("{}") == "missing field \"sku\"")
        #expect(message(#"{"qty":1}"#) == "missing field \"sku\"")
        #expect(message(#"[1]"#)?.hasPrefix("request body must be a JSON object") == true)
        #expect(message(#"{"sku":1}"#) == "\"sku\" must be a string")
        #expect(message(#"{"sku":null}"#) == "\"sku\" must be a string")
        #expect(message(#"{"sku":"x","qty":"1"}"#) == "\"qty\" must be an integer")
        #expect(message(#"{"sku":"x","qty":true}"#) == "\"qty\" must be an integer")
        #expect(message(#"{"sku":"x","qty":null}"#) == "\"qty\" must be an integer")
    }

    @Test func rejectsOutOfRangeQuantities() {
        #expect(message(#"{"sku":"x","qty":0}"#) == "\"qty\" must be between 1 and 1000000, got 0")
        #expect(message(#"{"sku":"x","qty":-1}"#) == "\"qty\" must be between 1 and 1000000, got -1")
        #expect(message(#"{"sku":"x","qty":1000001}"#) == "\"qty\" must be between 1 and 1000000, got 1000001")
        #expect(message(#"{"sku":"x","qty":9223372036854775808}"#) == "\"qty\" is out of range (must be between 1 and 1000000)")
        #expect(message(#"{"sku":"x","qty":99999999999999999999999999}"#) == "\"qty\" is out of range (must be between 1 and 1000000)")
        #expect(message(#"{"sku":"x","qty":1.5}"#) == "\"qty\" must be an integer without fraction or exponent")
        #expect(message(#"{"sku":"x","qty":1e2}"#) == "\"qty\" must be an integer without fraction or exponent")
        #expect(message(#"{"sku":"x","qty":1.0}"#) == "\"qty\" must be an integer without fraction or exponent")
    }

    @Test func rejectsUnknownAndDuplicateFields() {
        #expect(message(#"{"sku":"x","quantity":2}"#) == "unknown field \"quantity\"; allowed fields are \"sku\" and \"qty\"")
        #expect(message(#"{"sku":"x","sku":"y"}"#) == "duplicate field \"sku\"")
        #expect(message(#"{"sku":"x","qty":1,"qty":2}"#) == "duplicate field \"qty\"")
    }

    @Test func rejectsBadSKUs() {
        #expect(message(#"{"sku":""}"#) == "\"sku\" must be 1 to 64 characters long")
        #expect(message("{\"sku\":\"\(String(repeating: "a", count: 65))\"}") == "\"sku\" must be 1 to 64 characters long")
        #expect(message(#"{"sku":"a b"}"#) == "\"sku\" may contain only letters, digits, '.', '_' and '-'")
        #expect(message(#"{"sku":"a{b}"}"#) == "\"sku\" may contain only letters, digits, '.', '_' and '-'")
        #expect(message(#"{"sku":"\u0041"}"#) == "\"sku\" must not contain escape sequences")
    }

    @Test func rejectsMalformedJSON() {
        for text in [#"{"sku":"x""#, #"{"sku":"x",}"#, #"{"sku":"x"} x"#, #"{"sku":"x"}{}"#, #"{sku:"x"}"#,
                     #"{"sku":"x","qty":01}"#, #"{"sku":"x","qty":-}"#, "{\"sku\":\"a\u{01}\"}", #"{"sku":"x" "qty":1}"#] {
            let text = message(text)
            #expect(text != nil)
            #expect(text?.contains("JSON") == true || text?.contains("must") == true, "\(text ?? "")")
        }
        #expect(message(#"{"sku":"x"} x"#) == "unexpected data after the JSON object")
        #expect(message(#"{"sku":"x""#) == "malformed JSON: unexpected end of body")
    }
}

@Suite struct JSONScannerTests {
    func number(_ text: String) -> JSONScanner.NumberToken? {
        Array(text.utf8).withUnsafeBytes { raw in
            var scanner = JSONScanner(raw)
            return try? scanner.readNumber()
        }
    }

    @Test func classifiesNumbers() {
        #expect(number("0") == .integer(0))
        #expect(number("-9223372036854775808") == .integer(.min))
        #expect(number("9223372036854775807") == .integer(.max))
        #expect(number("9223372036854775808") == .integerOverflow)
        #expect(number("12.75") == .nonInteger(truncated: 12))
        #expect(number("1e3") == .nonInteger(truncated: nil))
        #expect(number("01") == nil)
        #expect(number("1.") == nil)
        #expect(number("-") == nil)
    }

    @Test func skipsNestedValuesAndBoundsDepth() {
        let ok = Array(#"{"a":[1,2,{"b":null,"c":true,"d":"\"x\""}],"e":-1.5e-3}"#.utf8).withUnsafeBytes { raw -> Bool in
            var scanner = JSONScanner(raw)
            return (try? scanner.skipValue()) != nil && scanner.onlyWhitespaceRemains()
        }
        #expect(ok)
        let deep = Array((String(repeating: "[", count: 100) + String(repeating: "]", count: 100)).utf8)
        let failure = deep.withUnsafeBytes { raw -> JSONScanner.Failure? in
            var scanner = JSONScanner(raw)
            do throws(JSONScanner.Failure) { try scanner.skipValue() } catch { return error }
            return nil
        }
        #expect(failure == .tooDeep)
    }
}

/// The one-pass reader of the usual body layout must agree with the general parser:
/// it either declines (nil) or returns exactly what the general parser returns.
@Suite struct PurchaseBodyCanonicalTests {
    func both(_ text: String) -> (fast: (String, Int)?, general: (String, Int)?) {
        Array(text.utf8).withUnsafeBytes { raw in
            let fast = PurchaseBody.canonical(raw).map { (String(decoding: $0.sku, as: UTF8.self), $0.qty) }
            let general = (try? PurchaseBody.scanAnyLayout(raw)).map { (String(decoding: $0.sku, as: UTF8.self), $0.qty) }
            return (fast, general)
        }
    }

    @Test func takesTheUsualLayout() {
        for (text, sku, qty) in [
            (#"{"sku":"s1","qty":1}"#, "s1", 1), (#"{"sku":"A.b_c-9","qty":42}"#, "A.b_c-9", 42),
            (#"{"sku":"x"}"#, "x", 1), (#"{"sku":"x","qty":1000000}"#, "x", 1_000_000),
            ("{\"sku\":\"\(String(repeating: "k", count: 64))\",\"qty\":7}", String(repeating: "k", count: 64), 7),
        ] {
            let result = both(text)
            #expect(result.fast?.0 == sku && result.fast?.1 == qty, "\(text)")
            #expect(result.general?.0 == sku && result.general?.1 == qty, "\(text)")
        }
    }

    @Test func declinesEverythingElseAndAgreesWhenItDoesNot() {
        let texts = [
            #"{"sku":"x","qty":0}"#, #"{"sku":"x","qty":01}"#, #"{"sku":"x","qty":1000001}"#, #"{"sku":"x","qty":10000000}"#,
            #"{"sku":"x","qty":-1}"#, #"{"sku":"x","qty":1.5}"#, #"{"sku":"x","qty":1e2}"#, #"{"sku":"x","qty":1} "#,
            #"{"sku":"","qty":1}"#, #"{"sku":"a b","qty":1}"#, #"{"sku":"a\"b","qty":1}"#, #"{"sku":"x","qty":1,"qty":2}"#,
            #"{"sku":"x","qty":1}}"#, #"{"sku":"x","qty":}"#, #"{"sku":"x","qty":1"#, #"{"sku":"x""#, #"{"sku":"x"} "#,
            #"{"sku":"x","qt":1}"#, #"{"qty":1,"sku":"x"}"#, "{\"sku\":\"\(String(repeating: "k", count: 65))\"}",
            #"{"sku":"é","qty":1}"#, #"{"sku":"x",,"qty":1}"#, #"{"sku":"x"}x"#, "",
        ]
        for text in texts {
            let result = both(text)
            if let fast = result.fast {
                #expect(result.general?.0 == fast.0 && result.general?.1 == fast.1, "\(text)")
            }
        }
        // These are invalid: the fast path must leave them to the general parser's errors.
        for text in texts.prefix(7) { #expect(both(text).fast == nil, "\(text)") }
    }
}
