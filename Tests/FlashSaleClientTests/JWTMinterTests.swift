import FlashSaleClient
import Foundation
import XCTest

/// The one token minter (CLI, load driver, tests) against an independently computed token.
final class JWTMinterTests: XCTestCase {
    func testJWTShapeAndSignature() throws {
        let token = JWTMinter(secret: "s3cret").mint(subject: "u7", expiresAt: 1_700_003_600, notBefore: 1_699_999_940, issuedAt: 1_700_000_000)
        let parts = token.split(separator: ".")
        XCTAssertEqual(parts.count, 3)
        func decode(_ part: Substring) -> String {
            var text = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            while text.count % 4 != 0 { text += "=" }
            return String(decoding: Data(base64Encoded: text) ?? Data(), as: UTF8.self)
        }
        XCTAssertEqual(decode(parts[0]), #"{"alg":"HS256","typ":"JWT"}"#)
        XCTAssertTrue(decode(parts[1]).contains(#""sub":"u7""#))
        XCTAssertTrue(decode(parts[1]).contains(#""exp":1700003600"#))
        // Computed independently (Python hmac + base64url) for the same header and claims.
        XCTAssertEqual(token, "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1NyIsImlhdCI6MTcwMDAwMDAwMCwibmJmIjoxNjk5OTk5OTQwLCJleHAiOjE3MDAwMDM2MDB9.hR1tWRApeMzYkGBOvsTJs_QHD6Q5XVF4VLtaK1vmHl4")
        XCTAssertNotEqual(parts[2], JWTMinter(secret: "other").mint(subject: "u7", expiresAt: 1_700_003_600, notBefore: 1_699_999_940, issuedAt: 1_700_000_000).split(separator: ".")[2])
    }
}
