import FlashSaleCore

/// The body of `POST /v1/orders/{order}/fulfil`: `{"carrier":"…","tracking":"…"}`.
///
/// Both fields are required, each a string of 1–64 printable ASCII characters other
/// than space, `"` and `\` (``IdentifierRules/isValidShipmentToken(_:)``; no escape
/// sequences), so it is one token of the packed order record. Unknown and duplicate
/// fields are refused. Each problem is a ``BadRequest`` naming the field.
public struct FulfilBody: Sendable, Equatable {
    /// Who ships the order, e.g. `DHL`.
    public var carrier: String
    /// The carrier's tracking number.
    public var tracking: String

    /// Creates a body value.
    public init(carrier: String, tracking: String) {
        self.carrier = carrier
        self.tracking = tracking
    }

    /// Parses a fulfil body; the error's message says what is wrong.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(BadRequest) -> FulfilBody {
        var carrier: String?
        var tracking: String?
        try JSONScanner.readObjectBody(
            bytes, names: ["carrier", "tracking"], expected: "{\"carrier\":\"…\",\"tracking\":\"…\"}"
        ) { scanner, field in
            if field == 0 { carrier = try readToken(&scanner, "carrier") } else { tracking = try readToken(&scanner, "tracking") }
        }
        guard let carrier else { throw BadRequest("missing field \"carrier\"") }
        guard let tracking else { throw BadRequest("missing field \"tracking\"") }
        return FulfilBody(carrier: carrier, tracking: tracking)
    }

    /// Parses a fulfil body held in an array.
    public static func parse(_ bytes: [UInt8]) throws(BadRequest) -> FulfilBody {
        try bytes.withUnsafeBytes { raw in
            Result { () throws(BadRequest) -> FulfilBody in try parse(raw) }
        }.get()
    }

    private static func readToken(_ scanner: inout JSONScanner, _ name: String) throws -> String {
        guard try scanner.peek() == UInt8(ascii: "\"") else { throw BadRequest("\"\(name)\" must be a string") }
        let token = try scanner.readString()
        let raw = scanner.slice(token)
        guard !token.hasEscapes, IdentifierRules.isValidShipmentToken(raw) else {
            throw BadRequest(
                "\"\(name)\" must be 1 to \(IdentifierRules.maxShipmentTokenLength) printable ASCII characters without space, '\"' or '\\'")
        }
        return String(decoding: raw, as: UTF8.self)
    }
}
