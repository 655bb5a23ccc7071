/// What `cancel` did.
public enum CancelOutcome: Sendable, Equatable {
    /// `reserved` → `cancelled`; the units are back in the pool.
    case cancelled(ReleasedOrder)
    /// No such order, or it belongs to another user (indistinguishable on purpose).
    case notFound
    /// The order is `paid`, `cancelled` or `expired` (`409 not_reserved`); nothing changed.
    case notReserved(status: String)
    /// The reservation was past `expires_at` but not yet swept: it was expired right
    /// there instead (units back in the pool; `409 not_reserved`).
    case expiredNow(ReleasedOrder)
}
