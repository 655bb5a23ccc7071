/// A lease a worker wants: the persistence layer runs the lease script for it and hands
/// the answer back with `WorkerShard.leaseGranted` (or `leaseFailed`).
public struct LeaseRequest: Sendable {
    /// Sale and SKU.
    public let sku: SKUHandle
    /// Sale name (for the Redis keys).
    public let saleName: String
    /// SKU name.
    public let skuName: String
    /// Units wanted (>= 1); the script grants `min(pool, units)`.
    public let units: Int
}

/// Units a worker hands back to the pool (shutdown, idle slice, ended sale).
public struct LeaseReturn: Sendable {
    /// Sale and SKU.
    public let sku: SKUHandle
    /// Sale name.
    public let saleName: String
    /// SKU name.
    public let skuName: String
    /// Units to move from this worker's lease back to the pool (>= 1).
    public let units: Int
}
