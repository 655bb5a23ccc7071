@testable import FlashSaleServer

/// A request body parser's answer for `text`, and its refusal message (nil when it parsed).
struct BodyParsing<Body> {
    let parse: ([UInt8]) throws(BadRequest) -> Body

    func result(_ text: String) -> Result<Body, BadRequest> {
        Result { () throws(BadRequest) -> Body in try parse(Array(text.utf8)) }
    }

    func message(_ text: String) -> String? {
        if case .failure(let error) = result(text) { return error.message }
        return nil
    }
}
