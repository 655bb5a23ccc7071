/// Identifies one SKU of one sale inside a process: stable for the life of the process,
/// the same in every worker, cheap to copy and compare. Get one with
/// `WorkerShard.skuHandle(sale:sku:)` or `SaleDirectory.skuHandle(sale:sku:)`.
public struct SKUHandle: Sendable, Hashable {
    /// Slot of the sale in the process's `SaleDirectory`.
    public let saleSlot: UInt32
    /// Slot of the SKU within its sale.
    public let skuSlot: UInt32
}
