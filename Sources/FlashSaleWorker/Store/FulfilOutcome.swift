/// What `fulfil` did (issue 13; the HTTP endpoint is not wired yet).
public enum FulfilOutcome: Sendable, Equatable {
    /// `paid` → `fulfilled` now.
    case fulfilled
    /// Already fulfilled, with this carrier and tracking; nothing changed.
    case alreadyFulfilled(carrier: String, tracking: String)
    /// No such order.
    case notFound
    /// The order is not paid (`409 not_paid`): its status.
    case notPaid(status: String)
    /// Carrier or tracking is not 1…64 bytes of `A–Z a–z 0–9 . _ - /`.
    case invalid(String)
}
