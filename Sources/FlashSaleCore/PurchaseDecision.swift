/// A reservation, as the 201 answer and the duplicate answer describe it.
public struct ReservedOrder: Sendable, Hashable {
    /// The order id (`text` for the JSON body).
    public let id: OrderID
    /// The sale and SKU (names: `WorkerShard.names(of:)`).
    public let sku: SKUHandle
    /// Units reserved.
    public let qty: Int
    /// When the order was made (Unix-epoch milliseconds).
    public let createdAtMillis: Int64
    /// When the reservation expires unless paid.
    public let expiresAtMillis: Int64

    /// Creates a description of a reservation.
    public init(id: OrderID, sku: SKUHandle, qty: Int, createdAtMillis: Int64, expiresAtMillis: Int64) {
        self.id = id
        self.sku = sku
        self.qty = qty
        self.createdAtMillis = createdAtMillis
        self.expiresAtMillis = expiresAtMillis
    }
}

/// A ticket for a purchase parked while a lease is in flight; its decision comes later
/// from `WorkerShard.drainParkedResolutions`.
public struct ParkTicket: Sendable, Hashable {
    /// Unique per worker.
    public let value: UInt64

    /// Creates a ticket.
    public init(value: UInt64) {
        self.value = value
    }
}

/// The answer to a purchase. Every case maps to one HTTP answer (the server maps it to the error table).
public enum PurchaseDecision: Sendable, Hashable {
    /// Units reserved; the order is queued for persistence (201).
    case reserved(ReservedOrder)
    /// The same user and Idempotency-Key with the same body already got this order (201).
    case duplicate(ReservedOrder)
    /// Not enough units left for this quantity (409 `sold_out`).
    case soldOut
    /// The user would hold more than the per-user limit of this SKU (409 `limit_exceeded`).
    case limitExceeded
    /// Before `starts_at` (409 `sale_not_started`).
    case saleNotStarted
    /// At or after `ends_at` (409 `sale_ended`).
    case saleEnded
    /// No sale of that name (404 `sale_not_found`).
    case saleNotFound
    /// The sale has no SKU of that name (404 `sku_not_found`).
    case skuNotFound
    /// The Idempotency-Key was used by this user with another body (422).
    case idempotencyKeyReused
    /// qty < 1 (400 `bad_request`).
    case invalidQuantity
    /// Waiting for a lease; the decision comes later for this ticket (no HTTP answer yet).
    case parked(ParkTicket)
    /// A bounded queue is full or Redis is behind (503 `overloaded`, with Retry-After).
    case overloaded
}

extension PurchaseDecision {
    /// The reservation of a `.reserved` or `.duplicate` decision.
    public var order: ReservedOrder? {
        switch self {
        case .reserved(let order), .duplicate(let order): order
        default: nil
        }
    }
}
