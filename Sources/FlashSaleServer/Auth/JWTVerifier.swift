import Crypto
import FlashSaleCore

/// Why a buyer token was refused (each maps to a distinct 401 message).
public enum JWTError: Error, Equatable, Sendable {
    /// No `Authorization` header, or not a `Bearer` one.
    case missing
    /// Not three base64url parts, or a part that is not the JSON it should be.
    case malformed(String)
    /// `alg` is not `HS256` (`none` included).
    case unsupportedAlgorithm
    /// The HMAC does not match.
    case badSignature
    /// `exp` is absent.
    case missingExpiry
    /// `exp` is in the past.
    case expired
    /// `nbf` is in the future.
    case notYetValid
    /// `sub` is absent or not an acceptable user id.
    case badSubject

    /// The message for the 401 error object.
    public var message: String {
        switch self {
        case .missing: return "missing bearer token (Authorization: Bearer <JWT>)"
        case .malformed(let why): return "malformed token: \(why)"
        case .unsupportedAlgorithm: return "token algorithm not accepted (only HS256)"
        case .badSignature: return "token signature does not verify"
        case .missingExpiry: return "token has no exp claim"
        case .expired: return "token has expired"
        case .notYetValid: return "token is not valid yet (nbf)"
        case .badSubject: return "token sub must be a user id of 1-128 printable ASCII characters"
        }
    }
}

/// Verifies buyer JWTs: HS256 only, `exp` required, `nbf` honoured, `sub` =
/// user id. No Foundation on this path: base64url and JSON are decoded by
/// hand into stack buffers; the HMAC comes from swift-crypto and is compared
/// in constant time.
public struct JWTVerifier: Sendable {
    /// Longest token accepted, in bytes (bounds the stack buffers).
    public static let maxTokenLength = 4096

    /// HMAC-SHA256 (RFC 2104) with the key's inner and outer pads hashed once: each
    /// token costs a copy of these two states plus the hashing of its own bytes, through
    /// `update(bufferPointer:)` (no key set-up, no generic `DataProtocol` walk).
    private let innerPadded: SHA256
    private let outerPadded: SHA256
    /// Seconds of clock skew tolerated on `exp` and `nbf`.
    public let leewaySeconds: Int64

    /// Creates a verifier for tokens signed with `secret`.
    public init(secret: [UInt8], leewaySeconds: Int64 = 0) {
        (innerPadded, outerPadded) = Self.paddedStates(secret: secret)
        self.leewaySeconds = leewaySeconds
    }

    /// Creates a verifier for tokens signed with the UTF-8 bytes of `secret`.
    public init(secret: String, leewaySeconds: Int64 = 0) {
        self.init(secret: Array(secret.utf8), leewaySeconds: leewaySeconds)
    }

    /// Verifies the `Authorization` header value and returns the user id.
    public func verify(authorization header: UnsafeRawBufferPointer, nowSeconds: Int64) throws(JWTError) -> String {
        guard let token = BearerToken.extract(header) else { throw .missing }
        return try verify(token: token, nowSeconds: nowSeconds)
    }

    /// Verifies a compact JWT and returns its `sub`.
    public func verify(token: String, nowSeconds: Int64) throws(JWTError) -> String {
        var token = token
        return try token.withUTF8 { raw in
            Result { () throws(JWTError) -> String in
                try verify(token: UnsafeRawBufferPointer(raw), nowSeconds: nowSeconds)
            }
        }.get()
    }

    /// Verifies a compact JWT (its bytes) and returns its `sub`.
    public func verify(token: UnsafeRawBufferPointer, nowSeconds: Int64) throws(JWTError) -> String {
        guard token.count <= Self.maxTokenLength else { throw .malformed("longer than \(Self.maxTokenLength) bytes") }
        guard let firstDot = token.firstIndex(of: UInt8(ascii: ".")) else { throw .malformed("expected three dot-separated parts") }
        let rest = UnsafeRawBufferPointer(rebasing: token[(firstDot + 1)...])
        guard let secondOffset = rest.firstIndex(of: UInt8(ascii: ".")) else { throw .malformed("expected three dot-separated parts") }
        let secondDot = firstDot + 1 + secondOffset
        let header = UnsafeRawBufferPointer(rebasing: token[0..<firstDot])
        let payload = UnsafeRawBufferPointer(rebasing: token[(firstDot + 1)..<secondDot])
        let signature = UnsafeRawBufferPointer(rebasing: token[(secondDot + 1)...])
        guard signature.firstIndex(of: UInt8(ascii: ".")) == nil else { throw .malformed("expected three dot-separated parts") }

        // The header first: an unsupported algorithm is reported as such even
        // when the signature (e.g. empty for `none`) would also fail.
        try Self.withDecoded(header, part: "header") { (json: UnsafeRawBufferPointer) throws(JWTError) in
            try Self.checkHeader(json)
        }
        try checkSignature(signing: UnsafeRawBufferPointer(rebasing: token[0..<secondDot]), signature: signature)
        return try Self.withDecoded(payload, part: "payload") { (json: UnsafeRawBufferPointer) throws(JWTError) -> String in
            try Self.checkClaims(json, nowSeconds: nowSeconds, leeway: leewaySeconds)
        }
    }

    private func checkSignature(signing input: UnsafeRawBufferPointer, signature: UnsafeRawBufferPointer) throws(JWTError) {
        // HS256 signatures are 32 bytes = 43 base64url characters.
        guard signature.count == 43 else { throw .badSignature }
        let matches = withUnsafeTemporaryAllocation(byteCount: 32, alignment: 1) { decoded -> Bool in
            guard Base64URL.decode(signature, into: decoded) == 32 else { return false }
            let mac = authenticationCode(for: input)
            return mac.withUnsafeBytes { ConstantTime.equal($0, UnsafeRawBufferPointer(decoded)) }
        }
        guard matches else { throw .badSignature }
    }

    /// HMAC-SHA256 of `input` under the verifier's secret (same value as swift-crypto's
    /// `HMAC<SHA256>.authenticationCode(for:using:)`).
    func authenticationCode(for input: UnsafeRawBufferPointer) -> SHA256.Digest {
        var inner = innerPadded
        inner.update(bufferPointer: input)
        let innerDigest = inner.finalize()
        var outer = outerPadded
        innerDigest.withUnsafeBytes { outer.update(bufferPointer: $0) }
        return outer.finalize()
    }

    /// SHA-256 states after `K ^ ipad` and `K ^ opad`, K = the secret (hashed first when
    /// longer than a block) zero-padded to the 64-byte block.
    private static func paddedStates(secret: [UInt8]) -> (SHA256, SHA256) {
        let blockSize = 64
        var block = secret.count > blockSize ? Array(SHA256.hash(data: secret)) : secret
        block += repeatElement(0, count: blockSize - block.count)
        var inner = SHA256()
        inner.update(data: block.map { $0 ^ 0x36 })
        var outer = SHA256()
        outer.update(data: block.map { $0 ^ 0x5C })
        return (inner, outer)
    }

    private static func withDecoded<R>(
        _ part: UnsafeRawBufferPointer, part name: String,
        _ body: (UnsafeRawBufferPointer) throws(JWTError) -> R
    ) throws(JWTError) -> R {
        guard !part.isEmpty, let count = Base64URL.decodedCount(part.count) else {
            throw .malformed("\(name) is not base64url")
        }
        return try withUnsafeTemporaryAllocation(byteCount: count, alignment: 1) { buffer -> Result<R, JWTError> in
            guard let written = Base64URL.decode(part, into: buffer) else { return .failure(.malformed("\(name) is not base64url")) }
            return Result { () throws(JWTError) -> R in try body(UnsafeRawBufferPointer(rebasing: buffer[0..<written])) }
        }.get()
    }

    /// The header must be a JSON object whose `alg` is exactly `HS256`; `typ`,
    /// when present, must be `JWT`; `crit` is refused (no extensions are known).
    private static func checkHeader(_ json: UnsafeRawBufferPointer) throws(JWTError) {
        var scanner = JSONScanner(json)
        var algorithmOK: Bool?
        do throws(JSONScanner.Failure) {
            try scanner.expect(UInt8(ascii: "{"))
            if try !scanner.consume(UInt8(ascii: "}")) {
                repeat {
                    let key = try scanner.readString()
                    try scanner.expect(UInt8(ascii: ":"))
                    if scanner.tokenEquals(key, "alg") {
                        guard algorithmOK == nil else { throw JSONScanner.Failure.unexpectedByte(at: key.start) }
                        if try scanner.peek() == UInt8(ascii: "\"") {
                            let value = try scanner.readString()
                            algorithmOK = scanner.tokenEquals(value, "HS256")
                        } else {
                            try scanner.skipValue()
                            algorithmOK = false
                        }
                    } else if scanner.tokenEquals(key, "crit") {
                        algorithmOK = false
                        try scanner.skipValue()
                    } else {
                        try scanner.skipValue()
                    }
                } while try scanner.consume(UInt8(ascii: ","))
                try scanner.expect(UInt8(ascii: "}"))
            }
            guard scanner.onlyWhitespaceRemains() else { throw JSONScanner.Failure.unexpectedByte(at: scanner.position) }
        } catch {
            throw .malformed("header is not a JSON object")
        }
        guard let algorithmOK else { throw .malformed("header has no alg") }
        guard algorithmOK else { throw .unsupportedAlgorithm }
    }

    /// Claims: `exp` (required, integer seconds), `nbf` (optional), `sub`
    /// (required user id). Other claims are ignored.
    private static func checkClaims(_ json: UnsafeRawBufferPointer, nowSeconds: Int64, leeway: Int64) throws(JWTError) -> String {
        var scanner = JSONScanner(json)
        var expiry: Int64?
        var notBefore: Int64?
        var subject: JSONScanner.StringToken?
        var subjectIsString = true
        do throws(JSONScanner.Failure) {
            try scanner.expect(UInt8(ascii: "{"))
            if try !scanner.consume(UInt8(ascii: "}")) {
                repeat {
                    let key = try scanner.readString()
                    try scanner.expect(UInt8(ascii: ":"))
                    if scanner.tokenEquals(key, "exp") {
                        expiry = try readTime(&scanner)
                    } else if scanner.tokenEquals(key, "nbf") {
                        notBefore = try readTime(&scanner)
                    } else if scanner.tokenEquals(key, "sub") {
                        if try scanner.peek() == UInt8(ascii: "\"") {
                            subject = try scanner.readString()
                        } else {
                            subjectIsString = false
                            try scanner.skipValue()
                        }
                    } else {
                        try scanner.skipValue()
                    }
                } while try scanner.consume(UInt8(ascii: ","))
                try scanner.expect(UInt8(ascii: "}"))
            }
            guard scanner.onlyWhitespaceRemains() else { throw JSONScanner.Failure.unexpectedByte(at: scanner.position) }
        } catch {
            throw .malformed("claims are not a JSON object with numeric exp/nbf")
        }
        guard let expiry else { throw .missingExpiry }
        guard nowSeconds < expiry &+ leeway else { throw .expired }
        if let notBefore, nowSeconds &+ leeway < notBefore { throw .notYetValid }
        guard subjectIsString, let subject, !subject.hasEscapes else { throw .badSubject }
        let raw = scanner.slice(subject)
        guard IdentifierRules.isValidUser(raw) else { throw .badSubject }
        return String(decoding: raw, as: UTF8.self)
    }

    /// A NumericDate: seconds; a fraction is accepted and truncated, an
    /// exponent or a value beyond `Int64` is refused.
    private static func readTime(_ scanner: inout JSONScanner) throws(JSONScanner.Failure) -> Int64 {
        let start = scanner.position
        switch try scanner.readNumber() {
        case .integer(let value), .nonInteger(truncated: .some(let value)):
            return value
        case .integerOverflow, .nonInteger(truncated: .none):
            throw .invalidNumber(at: start)
        }
    }
}
