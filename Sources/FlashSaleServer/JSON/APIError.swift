/// Every error code the API answers with, and its HTTP status.
/// The body is always `{"error":{"code":"…","message":"…"}}`.
public enum APIErrorCode: String, CaseIterable, Sendable {
    case badRequest = "bad_request"
    case unauthorized = "unauthorized"
    case notFound = "not_found"
    case saleNotFound = "sale_not_found"
    case skuNotFound = "sku_not_found"
    case orderNotFound = "order_not_found"
    case methodNotAllowed = "method_not_allowed"
    case requestTimeout = "request_timeout"
    case saleLive = "sale_live"
    case stockBelowCommitted = "stock_below_committed"
    case skuRemoved = "sku_removed"
    case soldOut = "sold_out"
    case limitExceeded = "limit_exceeded"
    case saleNotStarted = "sale_not_started"
    case saleEnded = "sale_ended"
    case notReserved = "not_reserved"
    case payloadTooLarge = "payload_too_large"
    case unsupportedMediaType = "unsupported_media_type"
    case idempotencyKeyReused = "idempotency_key_reused"
    case rateLimited = "rate_limited"
    case headersTooLarge = "request_header_fields_too_large"
    case internalError = "internal_error"
    case overloaded = "overloaded"
    case redisUnavailable = "redis_unavailable"

    /// The HTTP status this code is sent with.
    public var status: Int {
        switch self {
        case .badRequest: return 400
        case .unauthorized: return 401
        case .notFound, .saleNotFound, .skuNotFound, .orderNotFound: return 404
        case .methodNotAllowed: return 405
        case .requestTimeout: return 408
        case .saleLive, .stockBelowCommitted, .skuRemoved, .soldOut, .limitExceeded, .saleNotStarted, .saleEnded, .notReserved: return 409
        case .payloadTooLarge: return 413
        case .unsupportedMediaType: return 415
        case .idempotencyKeyReused: return 422
        case .rateLimited: return 429
        case .headersTooLarge: return 431
        case .internalError: return 500
        case .overloaded, .redisUnavailable: return 503
        }
    }
}

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

    /// The HTTP status.
    public var status: Int { code.status }

    /// Writes `{"error":{"code":"…","message":"…"}}`.
    public func write(into json: inout JSONBuffer) {
        json.object { object in
            object.key("error")
            object.object { error in
                error.field("code", string: code.rawValue)
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
