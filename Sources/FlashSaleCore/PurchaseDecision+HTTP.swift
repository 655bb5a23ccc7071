extension PurchaseDecision {
    /// The HTTP status to answer with; 0 for `.parked` (no answer yet).
    public var httpStatus: Int {
        switch self {
        case .reserved, .duplicate: 201
        case .soldOut, .limitExceeded, .saleNotStarted, .saleEnded: 409
        case .saleNotFound, .skuNotFound: 404
        case .idempotencyKeyReused: 422
        case .invalidQuantity: 400
        case .overloaded: 503
        case .parked: 0
        }
    }

    /// The `error.code` of the JSON error body, or nil for a success or `.parked`.
    public var errorCode: StaticString? {
        switch self {
        case .reserved, .duplicate, .parked: nil
        case .soldOut: "sold_out"
        case .limitExceeded: "limit_exceeded"
        case .saleNotStarted: "sale_not_started"
        case .saleEnded: "sale_ended"
        case .saleNotFound: "sale_not_found"
        case .skuNotFound: "sku_not_found"
        case .idempotencyKeyReused: "idempotency_key_reused"
        case .invalidQuantity: "bad_request"
        case .overloaded: "overloaded"
        }
    }

    /// The `error.message` of the JSON error body, or nil for a success or `.parked`.
    public var errorMessage: StaticString? {
        switch self {
        case .reserved, .duplicate, .parked: nil
        case .soldOut: "not enough units left for this quantity"
        case .limitExceeded: "this purchase would exceed the per-user limit"
        case .saleNotStarted: "the sale has not started"
        case .saleEnded: "the sale has ended"
        case .saleNotFound: "no such sale"
        case .skuNotFound: "no such sku in this sale"
        case .idempotencyKeyReused: "this Idempotency-Key was used with another request body"
        case .invalidQuantity: "qty must be a positive integer"
        case .overloaded: "the server is overloaded, retry later"
        }
    }

    /// The reservation of a `.reserved` or `.duplicate` decision.
    public var order: ReservedOrder? {
        switch self {
        case .reserved(let order), .duplicate(let order): order
        default: nil
        }
    }
}
