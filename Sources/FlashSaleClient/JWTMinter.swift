import FlashSaleServer
import Crypto

/// Mints HS256 buyer tokens (for `flashsale token`, tests and load tests).
public struct JWTMinter: Sendable {
    private let key: SymmetricKey

    /// Creates a minter signing with the UTF-8 bytes of `secret`.
    public init(secret: String) {
        key = SymmetricKey(data: Array(secret.utf8))
    }

    /// A compact JWT for `subject`. `expiresAt` and `notBefore` are Unix seconds.
    /// `algorithm` is written into the header as given (tests use it to forge
    /// tokens with other algorithms); the signature is always HMAC-SHA256.
    public func mint(
        subject: String, expiresAt: Int64?, notBefore: Int64? = nil, issuedAt: Int64? = nil,
        algorithm: String = "HS256"
    ) -> String {
        var header = JSONBuffer()
        header.object { object in
            object.field("alg", string: algorithm)
            object.field("typ", string: "JWT")
        }
        var claims = JSONBuffer()
        claims.object { object in
            object.field("sub", string: subject)
            if let issuedAt { object.field("iat", integer: issuedAt) }
            if let notBefore { object.field("nbf", integer: notBefore) }
            if let expiresAt { object.field("exp", integer: expiresAt) }
        }
        let signingInput = Base64URL.encode(header.bytes) + "." + Base64URL.encode(claims.bytes)
        return signingInput + "." + sign(signingInput)
    }

    /// The base64url HMAC-SHA256 of `signingInput`.
    public func sign(_ signingInput: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(signingInput.utf8), using: key)
        return mac.withUnsafeBytes { Base64URL.encode($0) }
    }
}
