/// Every error code the engine answers with: the one table of (code, status, meaning)
/// that the HTTP server, the API, the docs (`docs/api.md` and `docs/openapi.yaml`, both
/// checked against it by a test) and the load driver use. The body is always
/// `{"error":{"code":"…","message":"…"}}`; ``meaning`` is the message of the constant
/// answers.
public enum APIErrorCode: UInt8, CaseIterable, Sendable {
    case badRequest, unauthorized, notFound, saleNotFound, skuNotFound, orderNotFound, methodNotAllowed
    case requestTimeout, saleLive, stockBelowCommitted, skuRemoved, soldOut, limitExceeded, saleNotStarted
    case saleEnded, notReserved, notPaid, insufficientPool, contentTooLarge, uriTooLong, unsupportedMediaType, idempotencyKeyReused
    case rateLimited, headerFieldsTooLarge, internalError, notImplemented, overloaded, redisUnavailable
    case httpVersionNotSupported

    /// The row of the table: the code as sent, its HTTP status, what it means.
    private var row: (code: StaticString, status: HTTPStatus, meaning: StaticString) {
        switch self {
        case .badRequest: ("bad_request", .badRequest, "the request is malformed or invalid")
        case .unauthorized: ("unauthorized", .unauthorized, "missing or invalid credentials")
        case .notFound: ("not_found", .notFound, "no such resource")
        case .saleNotFound: ("sale_not_found", .notFound, "no such sale")
        case .skuNotFound: ("sku_not_found", .notFound, "no such sku in this sale")
        case .orderNotFound: ("order_not_found", .notFound, "no such order for this caller")
        case .methodNotAllowed: ("method_not_allowed", .methodNotAllowed, "method not allowed on this resource")
        case .requestTimeout: ("request_timeout", .requestTimeout, "request not received in time")
        case .saleLive: ("sale_live", .conflict, "the sale has started: its stock and start can no longer change")
        case .stockBelowCommitted: ("stock_below_committed", .conflict, "stock would fall below the units already leased or sold")
        case .skuRemoved: ("sku_removed", .conflict, "a sale's SKUs cannot be removed")
        case .soldOut: ("sold_out", .conflict, "not enough units left for this quantity")
        case .limitExceeded: ("limit_exceeded", .conflict, "this purchase would exceed the per-user limit")
        case .saleNotStarted: ("sale_not_started", .conflict, "the sale has not started")
        case .saleEnded: ("sale_ended", .conflict, "the sale has ended")
        case .notReserved: ("not_reserved", .conflict, "the order is no longer reserved")
        case .notPaid: ("not_paid", .conflict, "the order is not paid, so it cannot be fulfilled")
        case .insufficientPool: ("insufficient_pool", .conflict, "the pool holds fewer units than the removal asks for")
        case .contentTooLarge: ("content_too_large", .contentTooLarge, "request body too large")
        case .uriTooLong: ("uri_too_long", .uriTooLong, "request target too long")
        case .unsupportedMediaType: ("unsupported_media_type", .unsupportedMediaType, "Content-Type must be application/json")
        case .idempotencyKeyReused:
            ("idempotency_key_reused", .unprocessableContent, "this Idempotency-Key was used with another request body")
        case .rateLimited: ("rate_limited", .tooManyRequests, "too many requests, retry later")
        case .headerFieldsTooLarge: ("header_fields_too_large", .headerFieldsTooLarge, "header block too large")
        case .internalError: ("internal_error", .internalServerError, "internal error")
        case .notImplemented: ("not_implemented", .notImplemented, "not implemented")
        case .overloaded: ("overloaded", .serviceUnavailable, "the server is overloaded, retry later")
        case .redisUnavailable: ("redis_unavailable", .serviceUnavailable, "Redis is unavailable, retry later")
        case .httpVersionNotSupported:
            ("http_version_not_supported", .httpVersionNotSupported, "only HTTP/1.0 and HTTP/1.1 are supported")
        }
    }

    /// The code as it appears in the body, e.g. `sold_out`.
    public var code: StaticString { row.code }
    /// The code as a String.
    public var text: String { code.description }
    /// The HTTP status it is sent with.
    public var status: HTTPStatus { row.status }
    /// What it means (the message of the constant answers). Plain ASCII, no quotes or
    /// backslashes, so it can be copied into a JSON string as is.
    public var meaning: StaticString { row.meaning }

    /// The code whose ``text`` is `text`.
    public init?(text: String) {
        guard let found = Self.allCases.first(where: { $0.text == text }) else { return nil }
        self = found
    }
}
