/// What a stock change of a live sale did (`POST /v1/sales/{sale}/items/{sku}/stock`).
public enum StockChangeOutcome: Sendable, Equatable {
    /// `total` and the pool moved by the same units; their values now.
    case changed(total: Int64, pool: Int64)
    /// No such sale.
    case saleNotFound
    /// The sale has no such SKU.
    case skuNotFound
    /// A removal larger than the pool (units leased to engines or sold cannot be taken
    /// back); nothing changed. The pool now.
    case insufficientPool(pool: Int64)
    /// The new total would exceed the largest stock of a SKU; nothing changed.
    case aboveMaximum(total: Int64, maximum: Int64)
}
