/// What `fulfil` did (`POST /v1/orders/{order}/fulfil`).
public enum FulfilOutcome: Sendable, Equatable {
    /// `paid` → `fulfilled` now.
    case fulfilled
    /// Already fulfilled, with this carrier and tracking; nothing changed.
    case alreadyFulfilled(carrier: String, tracking: String)
    /// No such order.
    case notFound
    /// The order is not paid (`409 not_paid`): its status.
    case notPaid(status: String)
    /// Carrier or tracking is not 1…64 printable ASCII bytes other than space, `"` and `\`.
    case invalid(String)
}
