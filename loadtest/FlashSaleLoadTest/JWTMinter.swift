import Crypto
import Foundation

/// Mints HS256 JSON Web Tokens for simulated buyers (`sub` = user id).
///
/// The engine verifies these with `FLASHSALE_JWT_SECRET`; the driver mints
/// them all before a run so signing costs nothing while load is applied.
public struct JWTMinter: Sendable {
    private let key: SymmetricKey
    /// The base64url of `{"alg":"HS256","typ":"JWT"}`.
    private static let encodedHeader = base64URL(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8))

    /// Creates a minter for `secret` (the raw bytes of the secret string).
    public init(secret: String) {
        key = SymmetricKey(data: Array(secret.utf8))
    }

    /// A token for `subject` valid from `issuedAt` until `expiresAt` (Unix seconds).
    public func token(subject: String, issuedAt: Int64, expiresAt: Int64) -> String {
        let payload = #"{"sub":"\#(jsonEscaped(subject))","iat":\#(issuedAt),"nbf":\#(issuedAt - 60),"exp":\#(expiresAt)}"#
        let signingInput = JWTMinter.encodedHeader + "." + JWTMinter.base64URL(Array(payload.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: key)
        return signingInput + "." + JWTMinter.base64URL(Array(mac))
    }

    /// Base64url without padding (RFC 7515 section 2).
    static func base64URL(_ bytes: [UInt8]) -> String {
        var text = Data(bytes).base64EncodedString()
        text = text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }
}

/// Escapes a string for a JSON string literal (quotes, backslashes, control characters).
func jsonEscaped(_ text: String) -> String {
    var out = ""
    out.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out
}
