import FlashSaleClient
import Testing
@testable import FlashSaleServer

@Suite struct JWTTests {
    let secret = "test-secret-0123456789"
    let now: Int64 = 1_750_000_000

    var minter: JWTMinter { JWTMinter(secret: secret) }
    var verifier: JWTVerifier { JWTVerifier(secret: secret) }

    func verify(_ token: String, verifier: JWTVerifier? = nil) -> Result<String, JWTError> {
        Result { () throws(JWTError) -> String in try (verifier ?? self.verifier).verify(token: token, nowSeconds: now) }
    }

    @Test func acceptsAValidTokenAndReturnsSub() {
        let token = minter.mint(subject: "user-42", expiresAt: now + 60, notBefore: now - 1, issuedAt: now)
        #expect(verify(token) == .success("user-42"))
    }

    @Test func verifiesTheJWTIOReferenceSignature() {
        // jwt.io's HS256 example (secret "your-256-bit-secret"): a correct HMAC,
        // but no exp claim, so it fails only on the missing expiry.
        let token = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
        let reference = JWTVerifier(secret: "your-256-bit-secret")
        #expect(verify(token, verifier: reference) == .failure(.missingExpiry))
        #expect(verify(token) == .failure(.badSignature))
    }

    @Test func refusesAlgNone() {
        let header = Base64URL.encode(Array(#"{"alg":"none","typ":"JWT"}"#.utf8))
        let claims = Base64URL.encode(Array(#"{"sub":"u","exp":9999999999}"#.utf8))
        #expect(verify("\(header).\(claims).") == .failure(.unsupportedAlgorithm))
        // Even with a valid HMAC over the forged header, alg none is refused.
        let signed = "\(header).\(claims)"
        #expect(verify(signed + "." + minter.sign(signed)) == .failure(.unsupportedAlgorithm))
    }

    @Test func refusesOtherAlgorithms() {
        for alg in ["HS512", "RS256", "hs256", "HS256 ", "ES256"] {
            let token = minter.mint(subject: "u", expiresAt: now + 60, algorithm: alg)
            #expect(verify(token) == .failure(.unsupportedAlgorithm), "alg \(alg)")
        }
        let header = Base64URL.encode(Array(#"{"alg":"HS256","crit":["exp"]}"#.utf8))
        let claims = Base64URL.encode(Array(#"{"sub":"u","exp":9999999999}"#.utf8))
        let signed = "\(header).\(claims)"
        #expect(verify(signed + "." + minter.sign(signed)) == .failure(.unsupportedAlgorithm))
    }

    @Test func refusesABadSignature() {
        let token = minter.mint(subject: "u", expiresAt: now + 60)
        let other = JWTMinter(secret: "another-secret").mint(subject: "u", expiresAt: now + 60)
        #expect(verify(other) == .failure(.badSignature))
        // Flip one character of the signature.
        var bytes = Array(token.utf8)
        bytes[bytes.count - 2] = bytes[bytes.count - 2] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(verify(String(decoding: bytes, as: UTF8.self)) == .failure(.badSignature))
        // Change the claims, keep the signature.
        let parts = token.split(separator: ".")
        let forged = Base64URL.encode(Array(#"{"sub":"admin","exp":9999999999}"#.utf8))
        #expect(verify("\(parts[0]).\(forged).\(parts[2])") == .failure(.badSignature))
        // A truncated signature.
        #expect(verify(String(token.dropLast(3))) == .failure(.badSignature))
    }

    @Test func refusesExpiredAndNotYetValidTokens() {
        #expect(verify(minter.mint(subject: "u", expiresAt: now - 1)) == .failure(.expired))
        #expect(verify(minter.mint(subject: "u", expiresAt: now)) == .failure(.expired))
        #expect(verify(minter.mint(subject: "u", expiresAt: now + 100, notBefore: now + 10)) == .failure(.notYetValid))
        let lenient = JWTVerifier(secret: secret, leewaySeconds: 30)
        #expect(verify(minter.mint(subject: "u", expiresAt: now - 1), verifier: lenient) == .success("u"))
        #expect(verify(minter.mint(subject: "u", expiresAt: now + 100, notBefore: now + 10), verifier: lenient) == .success("u"))
    }

    @Test func requiresExpiry() {
        #expect(verify(minter.mint(subject: "u", expiresAt: nil)) == .failure(.missingExpiry))
    }

    @Test func acceptsFractionalNumericDates() {
        let header = Base64URL.encode(Array(#"{"alg":"HS256"}"#.utf8))
        let claims = Base64URL.encode(Array(#"{"sub":"u","exp":1750000060.5,"nbf":1749999999.9}"#.utf8))
        let signed = "\(header).\(claims)"
        #expect(verify(signed + "." + minter.sign(signed)) == .success("u"))
    }

    @Test func refusesBadSubjects() {
        for sub in ["", "has space", String(repeating: "x", count: 129), "quote\"d"] {
            #expect(verify(minter.mint(subject: sub, expiresAt: now + 60)) == .failure(.badSubject), "sub \(sub)")
        }
        let header = Base64URL.encode(Array(#"{"alg":"HS256"}"#.utf8))
        for body in [#"{"exp":9999999999}"#, #"{"sub":42,"exp":9999999999}"#] {
            let signed = "\(header).\(Base64URL.encode(Array(body.utf8)))"
            #expect(verify(signed + "." + minter.sign(signed)) == .failure(.badSubject))
        }
    }

    @Test func refusesMalformedTokens() {
        let good = minter.mint(subject: "u", expiresAt: now + 60)
        let parts = good.split(separator: ".").map(String.init)
        let cases = [
            "", "abc", "a.b", "\(good).x", "\(parts[0])=.\(parts[1]).\(parts[2])",
            ".\(parts[1]).\(parts[2])",
            String(repeating: "a", count: 5000),
        ]
        for token in cases {
            guard case .failure(.malformed) = verify(token) else {
                Issue.record("expected malformed for \(token.prefix(40)): \(verify(token))")
                continue
            }
        }
        // A header that is base64url but not JSON.
        let notJSON = Base64URL.encode(Array("hello".utf8))
        if case .failure(.malformed) = verify("\(notJSON).\(parts[1]).\(parts[2])") {} else {
            Issue.record("non-JSON header accepted")
        }
        // Claims that are not JSON, correctly signed.
        let signed = "\(parts[0]).\(Base64URL.encode(Array("[1,2".utf8)))"
        if case .failure(.malformed) = verify(signed + "." + minter.sign(signed)) {} else {
            Issue.record("non-JSON claims accepted")
        }
        // A '+' in the claims part is not base64url, even though the HMAC is checked first.
        let plus = "\(parts[0]).\(parts[1])+"
        if case .failure(.malformed) = verify(plus + "." + minter.sign(plus)) {} else {
            Issue.record("non-base64url claims accepted")
        }
    }

    @Test func readsTheAuthorizationHeader() {
        let token = minter.mint(subject: "u7", expiresAt: now + 60)
        func check(_ header: String) -> Result<String, JWTError> {
            var header = header
            return header.withUTF8 { raw in
                Result { () throws(JWTError) -> String in
                    try verifier.verify(authorization: UnsafeRawBufferPointer(raw), nowSeconds: now)
                }
            }
        }
        #expect(check("Bearer \(token)") == .success("u7"))
        #expect(check("bearer  \(token) ") == .success("u7"))
        #expect(check("Basic \(token)") == .failure(.missing))
        #expect(check("Bearer ") == .failure(.missing))
        #expect(check("") == .failure(.missing))
    }

    @Test func everyErrorHasADistinctMessage() {
        let errors: [JWTError] = [.missing, .malformed("x"), .unsupportedAlgorithm, .badSignature, .missingExpiry, .expired, .notYetValid, .badSubject]
        #expect(Set(errors.map(\.message)).count == errors.count)
    }
}

@Suite struct Base64URLTests {
    @Test func roundTripsEveryLength() {
        for length in 0..<40 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let text = Base64URL.encode(bytes)
            #expect(!text.contains("=") && !text.contains("+") && !text.contains("/"))
            let decoded = Array(text.utf8).withUnsafeBytes { input -> [UInt8]? in
                var out = [UInt8](repeating: 0, count: Base64URL.decodedCount(input.count) ?? 0)
                guard let count = out.withUnsafeMutableBytes({ Base64URL.decode(input, into: $0) }) else { return nil }
                return Array(out[0..<count])
            }
            #expect(decoded == bytes)
        }
    }

    @Test func matchesRFC4648Vectors() {
        #expect(Base64URL.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64URL.encode(Array("fooba".utf8)) == "Zm9vYmE")
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
    }

    @Test func rejectsNonCanonicalAndForeignCharacters() {
        for text in ["Zm9vYmE=", "Zm+v", "Zm/v", "Z", "Zm9vYmF", "Zh"] {
            let result = Array(text.utf8).withUnsafeBytes { input -> Int? in
                var out = [UInt8](repeating: 0, count: 16)
                return out.withUnsafeMutableBytes { Base64URL.decode(input, into: $0) }
            }
            #expect(result == nil, "\(text)")
        }
    }

    @Test func rejectsEveryByteOutsideTheAlphabetAtEveryPosition() {
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
        let valid = Array("Zm9vYmFyAA".utf8)  // a full group, a full group, a 2-character tail
        for byte in UInt8.min...UInt8.max where !alphabet.contains(byte) {
            for position in valid.indices {
                var text = valid
                text[position] = byte
                let result = text.withUnsafeBytes { input -> Int? in
                    var out = [UInt8](repeating: 0, count: 16)
                    return out.withUnsafeMutableBytes { Base64URL.decode(input, into: $0) }
                }
                #expect(result == nil, "byte \(byte) at \(position)")
            }
        }
    }
}

@Suite struct BearerSecretTests {
    @Test func matchesOnlyTheExactSecret() {
        let secret = BearerSecret("s3cret-admin")
        #expect(secret.matches(authorization: "Bearer s3cret-admin"))
        #expect(secret.matches(authorization: "BEARER s3cret-admin"))
        #expect(!secret.matches(authorization: "Bearer s3cret-admi"))
        #expect(!secret.matches(authorization: "Bearer s3cret-admin2"))
        #expect(!secret.matches(authorization: "Bearer S3cret-admin"))
        #expect(!secret.matches(authorization: "s3cret-admin"))
        #expect(!secret.matches(authorization: ""))
        #expect(!BearerSecret("").matches(authorization: "Bearer "))
    }

    @Test func constantTimeEqualityComparesAllBytes() {
        let a: [UInt8] = [1, 2, 3, 4]
        #expect(([1, 2, 3, 4] as [UInt8]).withUnsafeBytes { ConstantTime.equal(a, $0) })
        #expect(!([1, 2, 3, 5] as [UInt8]).withUnsafeBytes { ConstantTime.equal(a, $0) })
        #expect(!([9, 2, 3, 4] as [UInt8]).withUnsafeBytes { ConstantTime.equal(a, $0) })
        #expect(!([1, 2, 3] as [UInt8]).withUnsafeBytes { ConstantTime.equal(a, $0) })
    }
}

/// The verifier's precomputed-pad HMAC must equal swift-crypto's HMAC (used by the minter)
/// for any key length (shorter than, equal to and longer than the 64-byte block) and any
/// message length.
@Suite struct JWTVerifierHMACTests {
    @Test func matchesSwiftCryptoHMAC() {
        for keyLength in [0, 1, 16, 63, 64, 65, 200] {
            let secret = String((0..<keyLength).map { Character(Unicode.Scalar(UInt8(33 + ($0 * 31 + 7) % 90))) })
            let verifier = JWTVerifier(secret: secret)
            let minter = JWTMinter(secret: secret)
            for messageLength in [0, 1, 55, 56, 64, 119, 300] {
                let message = String((0..<messageLength).map { Character(Unicode.Scalar(UInt8(33 + ($0 * 13 + keyLength) % 90))) })
                let actual = Array(message.utf8).withUnsafeBytes { Base64URL.encode(verifier.authenticationCode(for: $0)) }
                #expect(actual == minter.sign(message), "key \(keyLength) bytes, message \(messageLength) bytes")
            }
        }
    }
}
