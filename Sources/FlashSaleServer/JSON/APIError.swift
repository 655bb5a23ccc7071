import FlashSaleHTTP

/// An error answer: status, code, message, and an optional `Retry-After`.
public struct APIError: Error, Sendable, Equatable {
    public var code: APIErrorCode
    public var message: String
    /// Seconds for the `Retry-After` header (429 and 503).
    public var retryAfterSeconds: Int?

    /// Creates an error answer.
    public init(_ code: APIErrorCode, _ message: String, retryAfterSeconds: Int? = nil) {
        self.code = code
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// The HTTP status (from the error table).
    public var status: Int { code.status.code }

    /// Writes `{"error":{"code":"…","message":"…"}}`.
    public func write(into json: inout JSONBuffer) {
        json.object { object in
            object.key("error")
            object.object { error in
                error.field("code", string: code.text)
                error.field("message", string: message)
            }
        }
    }

    /// The JSON body bytes.
    public var body: [UInt8] {
        var json = JSONBuffer(capacity: 64 + message.utf8.count)
        write(into: &json)
        return json.bytes
    }
}
