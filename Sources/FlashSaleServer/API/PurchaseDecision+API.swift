import FlashSaleCore
import FlashSaleHTTP

extension PurchaseDecision {
    /// The error code (from the one error table) and the metrics outcome of a refusal;
    /// a success or `.parked` (which never reaches an answer) is `overloaded`.
    var refusal: (code: APIErrorCode, outcome: PurchaseOutcome) {
        switch self {
        case .soldOut: (.soldOut, .soldOut)
        case .limitExceeded: (.limitExceeded, .limitExceeded)
        case .saleNotStarted: (.saleNotStarted, .saleNotStarted)
        case .saleEnded: (.saleEnded, .saleEnded)
        case .saleNotFound: (.saleNotFound, .saleNotFound)
        case .skuNotFound: (.skuNotFound, .skuNotFound)
        case .idempotencyKeyReused: (.idempotencyKeyReused, .idempotencyKeyReused)
        case .invalidQuantity: (.badRequest, .badRequest)
        case .overloaded, .parked, .reserved, .duplicate: (.overloaded, .overloaded)
        }
    }
}
