import FlashSaleServer
/// Writes the driver's requests into a connection's buffer, from parts
/// prepared once per run (only ids and numbers are written per request).
final class RequestWriter: Sendable {
    private let purchaseHead: [UInt8]
    private let purchaseBody: [UInt8]
    private let orderHeadPrefix: [UInt8]
    private let payTail: [UInt8]
    private let cancelTail: [UInt8]
    private let paymentAuth: [UInt8]
    private let benchRequest: [UInt8]
    private let keyPrefix: [UInt8]
    private let userPrefix: [UInt8]
    /// Minted JWTs by user index, when buyers use JWTs.
    private let tokens: PackedStrings?

    init(configuration: DriverConfiguration, tokens: PackedStrings?) {
        let host = "Host: \(configuration.host):\(configuration.port)\r\n"
        var body = JSONBuffer()
        body.object { object in
            object.field("sku", string: configuration.sku)
            object.field("qty", integer: configuration.quantity)
        }
        purchaseBody = body.bytes
        purchaseHead = Array(("POST /v1/sales/\(configuration.sale)/purchases HTTP/1.1\r\n" + host
            + "Content-Type: application/json\r\nContent-Length: \(purchaseBody.count)\r\n").utf8)
        orderHeadPrefix = Array("POST /v1/orders/".utf8)
        payTail = Array(("/pay HTTP/1.1\r\n" + host + "Content-Length: 0\r\n").utf8)
        cancelTail = Array(("/cancel HTTP/1.1\r\n" + host + "Content-Length: 0\r\n").utf8)
        paymentAuth = Array("Authorization: Bearer \(configuration.paymentToken)\r\n\r\n".utf8)
        if case .httpBench(let path, _) = configuration.scenario {
            benchRequest = Array("GET \(path) HTTP/1.1\r\n\(host)\r\n".utf8)
        } else {
            benchRequest = []
        }
        keyPrefix = Array("Idempotency-Key: \(configuration.keyPrefix)-".utf8)
        userPrefix = Array(configuration.userPrefix.utf8)
        self.tokens = tokens
    }

    /// The user id of buyer `user`.
    func userID(_ user: Int) -> String {
        String(decoding: userPrefix, as: UTF8.self) + String(user)
    }

    /// The Idempotency-Key of `user`'s purchase number `ordinal`.
    func key(user: Int, ordinal: Int, prefix: String) -> String { "\(prefix)-\(user)-\(ordinal)" }

    private func appendBuyerAuth(_ user: Int, to out: inout ByteBuffer) {
        if let tokens {
            out.append(RequestWriter.bearer)
            tokens.withBytes(user) { out.append($0) }
            out.append(RequestWriter.crlf)
        } else {
            out.append(RequestWriter.userHeader)
            out.append(userPrefix)
            out.appendDecimal(user)
            out.append(RequestWriter.crlf)
        }
    }

    func writePurchase(user: Int, ordinal: Int, into out: inout ByteBuffer) {
        out.append(purchaseHead)
        appendBuyerAuth(user, to: &out)
        out.append(keyPrefix)
        out.appendDecimal(user)
        out.append(RequestWriter.dash)
        out.appendDecimal(ordinal)
        out.append(RequestWriter.crlfcrlf)
        out.append(purchaseBody)
    }

    func writePay(orderID: String, into out: inout ByteBuffer) {
        out.append(orderHeadPrefix)
        out.append(orderID)
        out.append(payTail)
        out.append(paymentAuth)
    }

    func writeCancel(orderID: String, user: Int, into out: inout ByteBuffer) {
        out.append(orderHeadPrefix)
        out.append(orderID)
        out.append(cancelTail)
        appendBuyerAuth(user, to: &out)
        out.append(RequestWriter.crlf)
    }

    func writeBench(into out: inout ByteBuffer) { out.append(benchRequest) }

    private static let bearer = Array("Authorization: Bearer ".utf8)
    private static let userHeader = Array("X-User-Id: ".utf8)
    private static let crlf = Array("\r\n".utf8)
    private static let crlfcrlf = Array("\r\n\r\n".utf8)
    private static let dash = Array("-".utf8)
}
