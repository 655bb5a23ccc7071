/// What `pay` did.
public enum PayOutcome: Sendable, Equatable {
    /// `reserved` → `paid` now.
    case paid(orderID: String, sku: String, user: String, quantity: Int64)
    /// The order was already paid (a repeated payment callback); nothing changed.
    case alreadyPaid
    /// No such order.
    case notFound
    /// The order is `cancelled` or `expired` (`409 not_reserved`); nothing changed.
    case notReserved(status: String)
    /// The reservation was past `expires_at` but not yet swept: it was expired right
    /// there, its units went back to the pool (`409 not_reserved`).
    case expiredNow(ReleasedOrder)
}
