/// The part of the core shared by all workers of one process (thread-safe): the sales, the
/// buyer ledger with its idempotency records, and the configuration. Create one per process,
/// then one `WorkerShard` per worker thread.
public final class ProcessCore: Sendable {
    /// The configuration given at creation.
    public let configuration: CoreConfiguration
    /// The sales; install them with `sales.install(_:)`.
    public let sales: SaleDirectory
    /// Units held per (sale, SKU, user) and idempotency records.
    public let ledger: BuyerLedger
    /// Tail signals between workers: "I starve for this SKU while you hold units of it".
    public let tailDemand = TailDemandBoard()

    /// Creates the shared core.
    public init(configuration: CoreConfiguration) {
        self.configuration = configuration
        sales = SaleDirectory()
        ledger = BuyerLedger(
            stripes: configuration.ledgerStripes, idempotencyCapacity: configuration.idempotencyCapacity,
            idempotencyRetentionMillis: configuration.idempotencyRetentionMillis,
            seed: configuration.hashSeed ?? ByteHash.processSeed())
    }
}
