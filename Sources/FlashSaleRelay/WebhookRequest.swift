import FlashSaleLoop
import FlashSaleServer

/// The bytes of one delivery attempt: `POST` with the Standard Webhooks headers.
enum WebhookRequest {
    /// Writes the request into `out` (emptied first; its storage is reused).
    static func write(
        into out: inout [UInt8], head: [UInt8], webhookID: String, timestamp: Int64, signer: WebhookSigner, body: [UInt8]
    ) {
        out.removeAll(keepingCapacity: true)
        out.append(contentsOf: head)
        out.append(contentsOf: "webhook-id: ".utf8)
        out.append(contentsOf: webhookID.utf8)
        out.append(contentsOf: "\r\nwebhook-timestamp: ".utf8)
        ASCIIDecimal.withDigits(timestamp) { out.append(contentsOf: $0) }
        out.append(contentsOf: "\r\nwebhook-signature: ".utf8)
        signer.appendSignature(to: &out, id: webhookID, timestamp: timestamp, body: body)
        out.append(contentsOf: "\r\ncontent-length: ".utf8)
        ASCIIDecimal.withDigits(Int64(body.count)) { out.append(contentsOf: $0) }
        out.append(contentsOf: "\r\n\r\n".utf8)
        out.append(contentsOf: body)
    }

    /// The constant part: request line, `host`, `user-agent`, `content-type`.
    static func head(path: String, host: String, port: Int) -> [UInt8] {
        let hostText = host.contains(":") ? "[\(host)]" : host
        return Array(("POST \(path) HTTP/1.1\r\nhost: \(hostText):\(port)\r\nuser-agent: flashsale-relay/\(BuildInfo.version)\r\n"
            + "content-type: application/json\r\n").utf8)
    }
}
