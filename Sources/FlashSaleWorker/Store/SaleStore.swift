import FlashSaleCore

/// A sale as the store holds it, ready for the core.
public struct StoredSale: Sendable, Equatable {
    /// The core's configuration of the sale.
    public var config: SaleConfig
    /// Changes whenever the sale's definition changes.
    public var revision: String

    /// Creates a stored sale.
    public init(config: SaleConfig, revision: String) {
        self.config = config
        self.revision = revision
    }
}

/// The sales a node can load, and the admin's writes and reads of one sale.
public protocol SaleStore: AnyObject {
    /// Every sale listed in the store whose revision differs from `revisions[name]`.
    /// `complete` is false when some sale could not be read (try again later).
    func loadSales(
        changedFrom revisions: [String: String],
        completion: @escaping (Result<(sales: [StoredSale], complete: Bool), StoreError>) -> Void)
    /// Creates or updates a sale (refused once live for stock changes), and lists it.
    func upsertSale(
        _ sale: SaleConfig, nowMillis: Int64, completion: @escaping (Result<SaleUpsertOutcome, StoreError>) -> Void)
    /// Adds `delta` units (negative: removes them) to a SKU's `total` and pool at once, at
    /// any time (also while the sale is live); never beyond `maximum` units nor below what
    /// the pool holds. Engines learn the new stock through their leases (the pool).
    func changeStock(
        sale: String, sku: String, delta: Int64, maximum: Int64, nowMillis: Int64,
        completion: @escaping (Result<StockChangeOutcome, StoreError>) -> Void)
    /// A sale and each SKU's available units; nil if unknown.
    func sale(_ name: String, nowMillis: Int64, completion: @escaping (Result<SaleSnapshot?, StoreError>) -> Void)
}
