import FlashSaleCore

/// The body of `POST /v1/sales/{sale}/purchases`: `{"sku":"…","qty":1}`.
///
/// Parsed without Foundation and without allocating (a SKU of up to 15 bytes
/// is a small Swift string). The rules, also in docs/api.md:
/// - the body is one JSON object; whitespace around tokens is allowed;
/// - `sku` is required: a string of 1–64 of `A–Z a–z 0–9 . _ -`, no escapes;
/// - `qty` is optional (default 1): an integer from 1 to ``maxQuantity``;
///   fractions, exponents, strings and booleans are rejected;
/// - unknown and duplicate fields are rejected (a typo such as `"quantity"`
///   must not silently buy one unit).
public struct PurchaseBody: Sendable, Equatable {
    /// The largest `qty` one request may ask for.
    public static let maxQuantity: Int64 = 1_000_000

    /// The SKU to buy.
    public var sku: String
    /// How many units.
    public var qty: Int

    /// Creates a body value.
    public init(sku: String, qty: Int) {
        self.sku = sku
        self.qty = qty
    }

    /// Parses a purchase body; the error's message says what is wrong.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(BadRequest) -> PurchaseBody {
        let fields = try scan(bytes)
        return PurchaseBody(sku: String(decoding: fields.sku, as: UTF8.self), qty: fields.qty)
    }

    /// Parses a purchase body without making a String: `sku` is a slice of `bytes`
    /// (valid as long as they are). Same rules and errors as ``parse(_:)-(UnsafeRawBufferPointer)``.
    public static func scan(_ bytes: UnsafeRawBufferPointer) throws(BadRequest) -> (sku: UnsafeRawBufferPointer, qty: Int) {
        if let fields = canonical(bytes) { return fields }
        return try scanAnyLayout(bytes)
    }

    /// The general parser: any whitespace and field order, every error worded.
    static func scanAnyLayout(_ bytes: UnsafeRawBufferPointer) throws(BadRequest) -> (sku: UnsafeRawBufferPointer, qty: Int) {
        guard !bytes.isEmpty else { throw BadRequest("request body is empty; expected {\"sku\":\"…\",\"qty\":1}") }
        var scanner = JSONScanner(bytes)
        var sku: UnsafeRawBufferPointer?
        var qty: Int64?
        do {
            guard try scanner.peek() == UInt8(ascii: "{") else {
                throw BadRequest("request body must be a JSON object {\"sku\":\"…\",\"qty\":1}")
            }
            try scanner.expect(UInt8(ascii: "{"))
            if try !scanner.consume(UInt8(ascii: "}")) {
                repeat {
                    let key = try scanner.readString()
                    try scanner.expect(UInt8(ascii: ":"))
                    if scanner.tokenEquals(key, "sku") {
                        guard sku == nil else { throw BadRequest("duplicate field \"sku\"") }
                        sku = try readSKU(&scanner)
                    } else if scanner.tokenEquals(key, "qty") {
                        guard qty == nil else { throw BadRequest("duplicate field \"qty\"") }
                        qty = try readQuantity(&scanner)
                    } else {
                        throw BadRequest("unknown field \(fieldName(scanner, key)); allowed fields are \"sku\" and \"qty\"")
                    }
                } while try scanner.consume(UInt8(ascii: ","))
                try scanner.expect(UInt8(ascii: "}"))
            }
            guard scanner.onlyWhitespaceRemains() else {
                throw BadRequest("unexpected data after the JSON object")
            }
        } catch let failure as JSONScanner.Failure {
            throw BadRequest(failure)
        } catch let bad as BadRequest {
            throw bad
        } catch {
            throw BadRequest("malformed JSON")
        }
        guard let sku else { throw BadRequest("missing field \"sku\"") }
        return (sku, Int(qty ?? 1))
    }

    /// The body as clients usually send it, `{"sku":"<sku>","qty":<n>}` or `{"sku":"<sku>"}`
    /// with no whitespace, recognised in one pass. Nil for anything else, including every
    /// invalid body: the general parser then decides (and words the error), so both paths
    /// accept exactly the same bodies with the same result.
    @inline(__always)
    static func canonical(_ bytes: UnsafeRawBufferPointer) -> (sku: UnsafeRawBufferPointer, qty: Int)? {
        let count = bytes.count
        var index = 0
        guard matches(bytes, &index, "{\"sku\":\"") else { return nil }
        let skuStart = index
        while index < count, IdentifierRules.isNameByte(bytes[index]) { index += 1 }
        let skuLength = index - skuStart
        guard skuLength >= 1, skuLength <= IdentifierRules.maxNameLength, index < count,
            bytes[index] == UInt8(ascii: "\"")
        else { return nil }
        let sku = UnsafeRawBufferPointer(rebasing: bytes[skuStart..<index])
        index += 1
        if index == count - 1, bytes[index] == UInt8(ascii: "}") { return (sku, 1) }
        guard matches(bytes, &index, ",\"qty\":") else { return nil }
        // 1 to 7 digits without a leading zero (maxQuantity has 7), then the closing brace.
        let digitsStart = index
        var qty = 0
        while index < count, index - digitsStart < 7, JSONScanner.isDigit(bytes[index]) {
            qty = qty &* 10 &+ Int(bytes[index] &- UInt8(ascii: "0"))
            index += 1
        }
        guard index > digitsStart, bytes[digitsStart] != UInt8(ascii: "0"), qty <= Int(maxQuantity),
            index == count - 1, bytes[index] == UInt8(ascii: "}")
        else { return nil }
        return (sku, qty)
    }

    /// Whether `literal` is at `index` (then moves past it).
    @inline(__always)
    private static func matches(_ bytes: UnsafeRawBufferPointer, _ index: inout Int, _ literal: StaticString) -> Bool {
        let length = literal.utf8CodeUnitCount
        guard bytes.count - index >= length else { return false }
        for offset in 0..<length where bytes[index + offset] != literal.utf8Start[offset] { return false }
        index += length
        return true
    }

    /// Parses a purchase body held in an array.
    public static func parse(_ bytes: [UInt8]) throws(BadRequest) -> PurchaseBody {
        try bytes.withUnsafeBytes { raw in
            Result { () throws(BadRequest) -> PurchaseBody in try parse(raw) }
        }.get()
    }

    private static func readSKU(_ scanner: inout JSONScanner) throws -> UnsafeRawBufferPointer {
        guard try scanner.peek() == UInt8(ascii: "\"") else { throw BadRequest("\"sku\" must be a string") }
        let token = try scanner.readString()
        guard !token.hasEscapes else { throw BadRequest("\"sku\" must not contain escape sequences") }
        let raw = scanner.slice(token)
        guard raw.count >= 1, raw.count <= IdentifierRules.maxNameLength else {
            throw BadRequest("\"sku\" must be 1 to \(IdentifierRules.maxNameLength) characters long")
        }
        guard IdentifierRules.isValidName(raw) else {
            throw BadRequest("\"sku\" may contain only letters, digits, '.', '_' and '-'")
        }
        return raw
    }

    private static func readQuantity(_ scanner: inout JSONScanner) throws -> Int64 {
        let next = try scanner.peek()
        guard next == UInt8(ascii: "-") || JSONScanner.isDigit(next) else {
            throw BadRequest("\"qty\" must be an integer")
        }
        switch try scanner.readNumber() {
        case .integer(let value):
            guard value >= 1, value <= maxQuantity else {
                throw BadRequest("\"qty\" must be between 1 and \(maxQuantity), got \(value)")
            }
            return value
        case .integerOverflow:
            throw BadRequest("\"qty\" is out of range (must be between 1 and \(maxQuantity))")
        case .nonInteger:
            throw BadRequest("\"qty\" must be an integer without fraction or exponent")
        }
    }

    private static func fieldName(_ scanner: JSONScanner, _ key: JSONScanner.StringToken) -> String {
        let raw = scanner.slice(key)
        let shown = raw.count > 32 ? UnsafeRawBufferPointer(rebasing: raw[0..<32]) : raw
        var text = "\""
        for byte in shown {
            text.unicodeScalars.append(IdentifierRules.isUserByte(byte) ? Unicode.Scalar(byte) : "?")
        }
        return text + (raw.count > 32 ? "…\"" : "\"")
    }
}

/// A `400 bad_request` with a message that says what is wrong.
public struct BadRequest: Error, Equatable, Sendable {
    /// The message for the JSON error object.
    public let message: String

    /// Creates an error with `message`.
    public init(_ message: String) {
        self.message = message
    }

    init(_ failure: JSONScanner.Failure) {
        switch failure {
        case .unexpectedEnd: message = "malformed JSON: unexpected end of body"
        case .unexpectedByte(let at): message = "malformed JSON: unexpected character at byte \(at)"
        case .invalidString(let at): message = "malformed JSON: invalid string at byte \(at)"
        case .invalidNumber(let at): message = "malformed JSON: invalid number at byte \(at)"
        case .tooDeep: message = "malformed JSON: nested too deeply"
        }
    }
}
