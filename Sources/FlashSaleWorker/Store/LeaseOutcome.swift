/// The result of a lease or a lease return, for one worker and one SKU.
public struct LeaseChange: Sendable, Equatable {
    /// Units moved: granted by `lease`, given back by `leaseReturn`.
    public let units: Int64
    /// `fs:{S}:pool:{sku}` after the move.
    public let poolAfter: Int64
    /// The worker's lease (`fs:{S}:leases:{sku}` field) after the move.
    public let heldAfter: Int64
    /// `lease` only, when the pool could not cover the request or is empty after it: what
    /// the other workers' leases hold (Σ leases − `heldAfter`), i.e. units that may still come back to the pool
    /// at the tail. 0 otherwise (and always for `leaseReturn`).
    public let leasedElsewhere: Int64

    /// Creates a lease change.
    public init(units: Int64, poolAfter: Int64, heldAfter: Int64, leasedElsewhere: Int64 = 0) {
        self.units = units
        self.poolAfter = poolAfter
        self.heldAfter = heldAfter
        self.leasedElsewhere = leasedElsewhere
    }
}

/// What `lease` or `leaseReturn` did.
public enum LeaseOutcome: Sendable, Equatable {
    /// Units moved (possibly 0: the pool is empty, or the worker held nothing).
    case changed(LeaseChange)
    /// `fs:{S}:pool:{sku}` does not exist: no such sale or SKU.
    case unknownSKU
}
