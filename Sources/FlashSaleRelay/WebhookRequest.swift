import FlashSaleServer

/// The bytes of one delivery attempt: `POST` with the Standard Webhooks headers.
enum WebhookRequest {
    static func bytes(
        head: [UInt8], webhookID: String, timestamp: Int64, signature: String, body: [UInt8]
    ) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(head.count + 160 + signature.utf8.count + body.count)
        out.append(contentsOf: head)
        out.append(contentsOf: "webhook-id: ".utf8)
        out.append(contentsOf: webhookID.utf8)
        out.append(contentsOf: "\r\nwebhook-timestamp: ".utf8)
        out.append(contentsOf: String(timestamp).utf8)
        out.append(contentsOf: "\r\nwebhook-signature: ".utf8)
        out.append(contentsOf: signature.utf8)
        out.append(contentsOf: "\r\ncontent-length: ".utf8)
        out.append(contentsOf: String(body.count).utf8)
        out.append(contentsOf: "\r\n\r\n".utf8)
        out.append(contentsOf: body)
        return out
    }

    /// The constant part: request line, `host`, `user-agent`, `content-type`.
    static func head(path: String, host: String, port: Int) -> [UInt8] {
        let hostText = host.contains(":") ? "[\(host)]" : host
        return Array(("POST \(path) HTTP/1.1\r\nhost: \(hostText):\(port)\r\nuser-agent: flashsale-relay/\(BuildInfo.version)\r\n"
            + "content-type: application/json\r\n").utf8)
    }
}
