public enum SaleUpsertOutcome: Sendable, Equatable {
    /// The sale did not exist; its pools and counts are initialised (`201`).
    case created
    /// Nothing differs from what Redis holds (`200`).
    case unchanged
    /// Schedule, limit, TTL or (before the start) stock changed (`200`).
    case updated
    /// The sale is live (`starts_at <= now`) and the request changes stock, adds a SKU
    /// or moves `starts_at` (`409 sale_live`); `field` names the SKU or `starts_at`.
    case saleLive(field: String)
    /// A stock decrease below the units already leased or sold; nothing changed (`409`).
    case stockBelowCommitted(sku: String, committed: Int64)
    /// The request drops a SKU the sale has; SKUs cannot be removed (set stock 0
    /// before the start instead); nothing changed (`409`).
    case skuRemoved(sku: String)
    /// The definition is malformed (`400`); nothing changed.
    case invalid(String)
}
