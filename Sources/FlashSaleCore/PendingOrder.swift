/// An order decided by a worker and waiting for Redis: everything the flush script needs.
/// The Strings are the ones stored when the order was made (the one allocation of a
/// reserved purchase); copying a `PendingOrder` only retains them.
public struct PendingOrder: Sendable {
    /// The order id (write its text with `id.withUTF8`).
    public let id: OrderID
    /// Sale and SKU.
    public let sku: SKUHandle
    /// Sale name.
    public let saleName: String
    /// SKU name.
    public let skuName: String
    /// User id.
    public let user: String
    /// Units.
    public let qty: Int
    /// The Idempotency-Key, if the request had one.
    public let idempotencyKey: String?
    /// True when the order id was derived from the key (a schema-3 sale,
    /// ``OrderID/init(salt:user:key:)``): the id itself is the store's idempotency index.
    public let orderIDFromKey: Bool
    /// True in a schema-2 sale (no order-id salt): its records keep the key as a ninth
    /// token, the form every engine of that schema reads.
    public let keyInRecord: Bool
    /// Creation time (Unix-epoch milliseconds).
    public let createdAtMillis: Int64
    /// Expiry time of the reservation.
    public let expiresAtMillis: Int64
    /// Price × qty in minor units of the sale's currency (0 for a sale without prices),
    /// computed when the order is drained (prices are frozen from the sale's start, before
    /// any order exists).
    public let amountMinorUnits: Int64

    /// The answer this order gives when confirmed.
    public var reservation: ReservedOrder {
        ReservedOrder(id: id, sku: sku, qty: qty, createdAtMillis: createdAtMillis, expiresAtMillis: expiresAtMillis)
    }
}

/// What Redis said about one flushed order.
public enum FlushOutcome: Sendable, Hashable {
    /// Recorded in Redis: the order is durable.
    case confirmed
    /// Redis refused it; the worker rolls its ledger units (and, unless the lease was the
    /// reason, its slice units) back.
    case rejected(FlushRejection)
    /// The flush failed before Redis decided (connection lost, timeout): the order goes
    /// back to the head of the queue and will be drained again. The flush script must be
    /// idempotent on the order id.
    case retry
}

/// Why Redis refused a flushed order.
public enum FlushRejection: Sendable, Hashable {
    /// The worker's lease in Redis did not hold the units (e.g. reclaimed). The units are
    /// dropped from the slice; call `WorkerShard.setSlice` with Redis's lease if known.
    case lease
    /// The user holds too many units in Redis. If `unitsHeld` is given, the ledger is set
    /// to it (Redis wins).
    case limit(unitsHeld: Int?)
    /// Redis already has another order for this (user, Idempotency-Key). Pass the existing
    /// order if Redis names it and `sameBody: true` when its fingerprint equals this order's:
    /// the local record becomes that order and the waiting client gets `.duplicate(existing)`;
    /// `sameBody: false` answers `.idempotencyKeyReused`.
    case idempotency(existing: ReservedOrder?, sameBody: Bool)
    /// Any other refusal (sale missing or closed in Redis, script error).
    case other
}
