import Crypto
import Foundation

/// Signs one endpoint's deliveries the Standard Webhooks way: for every secret,
/// `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, space-separated (several
/// secrets: rotation, the receiver accepts any one).
struct WebhookSigner {
    private let keys: [SymmetricKey]

    init(secrets: [WebhookSecret]) {
        keys = secrets.map { SymmetricKey(data: $0.key) }
    }

    /// The `webhook-signature` header value for `id`, `timestamp` (Unix seconds) and `body`.
    func signature(id: String, timestamp: Int64, body: [UInt8]) -> String {
        var content: [UInt8] = []
        content.reserveCapacity(id.utf8.count + 24 + body.count)
        content.append(contentsOf: id.utf8)
        content.append(UInt8(ascii: "."))
        content.append(contentsOf: String(timestamp).utf8)
        content.append(UInt8(ascii: "."))
        content.append(contentsOf: body)
        var header = ""
        for key in keys {
            let mac = HMAC<SHA256>.authenticationCode(for: content, using: key)
            if !header.isEmpty { header += " " }
            header += "v1," + Data(mac).base64EncodedString()
        }
        return header
    }
}
