import Crypto
import FlashSaleLoop
import FlashSaleServer

/// Signs one endpoint's deliveries the Standard Webhooks way: for every secret,
/// `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, space-separated (several
/// secrets: rotation, the receiver accepts any one). The keyed HMAC states are made
/// once; each signature starts from a copy.
struct WebhookSigner {
    private let keyed: [HMAC<SHA256>]

    init(secrets: [WebhookSecret]) {
        keyed = secrets.map { HMAC<SHA256>(key: SymmetricKey(data: $0.key)) }
    }

    /// Appends the `webhook-signature` header value for `id`, `timestamp` (Unix seconds)
    /// and `body` to `out`.
    func appendSignature(to out: inout [UInt8], id: String, timestamp: Int64, body: [UInt8]) {
        var prefix: [UInt8] = []
        prefix.reserveCapacity(id.utf8.count + 22)
        prefix.append(contentsOf: id.utf8)
        prefix.append(UInt8(ascii: "."))
        ASCIIDecimal.withDigits(timestamp) { prefix.append(contentsOf: $0) }
        prefix.append(UInt8(ascii: "."))
        for (index, base) in keyed.enumerated() {
            var mac = base
            prefix.withUnsafeBytes { mac.update(data: $0) }
            body.withUnsafeBytes { mac.update(data: $0) }
            let code = mac.finalize()
            if index > 0 { out.append(UInt8(ascii: " ")) }
            out.append(UInt8(ascii: "v"))
            out.append(UInt8(ascii: "1"))
            out.append(UInt8(ascii: ","))
            code.withUnsafeBytes { Base64URL.append($0, to: &out, standard: true) }
        }
    }

    /// The `webhook-signature` header value (tests, tools).
    func signature(id: String, timestamp: Int64, body: [UInt8]) -> String {
        var out: [UInt8] = []
        appendSignature(to: &out, id: id, timestamp: timestamp, body: body)
        return String(decoding: out, as: UTF8.self)
    }
}
