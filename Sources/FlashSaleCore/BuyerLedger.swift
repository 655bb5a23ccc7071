import Synchronization

/// Where one user's ledger entries live, computed once per purchase from the user bytes.
struct BuyerKeys {
    let stripe: Int
    let userHash: UInt64
    let holding: UInt64
}

/// 128-bit key of one (sale, user, Idempotency-Key); `first` is never 0.
struct IdempotencyKey: Hashable, FastMapKey {
    let first: UInt64
    let second: UInt64

    var mixedBits: UInt64 { first }
    static var vacant: IdempotencyKey { IdempotencyKey(first: 0, second: 0) }
}

struct IdempotencyRecord {
    var fingerprint: UInt64
    var order: ReservedOrder
    var serial: UInt64
    var madeAtMillis: Int64

    static let filler = IdempotencyRecord(
        fingerprint: 0,
        order: ReservedOrder(
            id: OrderID(high: 0, low: 0), sku: SKUHandle(saleSlot: 0, skuSlot: 0), qty: 0, createdAtMillis: 0,
            expiresAtMillis: 0),
        serial: 0, madeAtMillis: 0)
}

enum IdempotencyCheck {
    case fresh
    case duplicate(ReservedOrder)
    case reused
}

enum LedgerReservation {
    case reserved
    case limitExceeded
    case duplicate(ReservedOrder)
    case reused
}

struct LedgerStripe {
    /// Units held per (sale, SKU, user), keyed by a non-zero 64-bit keyed hash; entries at 0
    /// are removed.
    var holdings = FastMap<UInt64, Int32>(filler: 0)
    var records = FastMap<IdempotencyKey, IdempotencyRecord>(filler: .filler)
    /// Insertion order of `records`, for retention and capacity eviction.
    var fifo: BoundedRing<(key: IdempotencyKey, serial: UInt64, madeAtMillis: Int64)>
    var serial: UInt64 = 0

    init(recordCapacity: Int) {
        fifo = BoundedRing(capacity: recordCapacity)
    }
}

/// Units held per (sale, SKU, user) and idempotency records, shared by all workers of a
/// process (thread-safe; striped locks, a user's entries all in one stripe).
///
/// Users and keys are held as keyed 64-bit / 128-bit hashes (per-process secret seed), not
/// Strings: a ledger entry costs no allocation and a fixed number of bytes. Two users whose
/// hashes collide (about n²/2⁶⁵ for n buyers) would share a limit; Redis re-checks the
/// limit by the real user id, so a collision can cost a false `limitExceeded`, never an
/// oversell.
public final class BuyerLedger: Sendable {
    final class Stripe: Sendable {
        let state: Mutex<LedgerStripe>

        init(recordCapacity: Int) {
            state = Mutex(LedgerStripe(recordCapacity: recordCapacity))
        }
    }

    let stripes: [Stripe]
    private let stripeMask: Int
    private let seed: UInt64
    private let retentionMillis: Int64

    /// Creates a ledger with `stripes` locks (rounded up to a power of two), holding at most
    /// `idempotencyCapacity` records for `idempotencyRetentionMillis` each.
    public init(stripes: Int, idempotencyCapacity: Int, idempotencyRetentionMillis: Int64, seed: UInt64) {
        var count = 1
        while count < stripes { count <<= 1 }
        let perStripe = max(1, (idempotencyCapacity + count - 1) / count)
        self.stripes = (0..<count).map { _ in Stripe(recordCapacity: perStripe) }
        stripeMask = count - 1
        self.seed = seed
        retentionMillis = idempotencyRetentionMillis
    }

    // MARK: keys

    @inline(__always)
    func keys(user: UnsafeRawBufferPointer, sku: SKUHandle) -> BuyerKeys {
        var userHasher = ByteHash(seed: seed)
        userHasher.combine(bytes: user)
        let userHash = userHasher.finalize()
        var holdingHasher = ByteHash(seed: seed ^ 0x686F_6C64)
        holdingHasher.combine(userHash)
        holdingHasher.combine(UInt64(sku.saleSlot) << 32 | UInt64(sku.skuSlot))
        let holding = holdingHasher.finalize()
        return BuyerKeys(
            stripe: Int(truncatingIfNeeded: userHash >> 40) & stripeMask, userHash: userHash,
            holding: holding == 0 ? 1 : holding)
    }

    @inline(__always)
    func idempotencyKey(user: UnsafeRawBufferPointer, userHash: UInt64, saleSlot: UInt32, key: UnsafeRawBufferPointer)
        -> IdempotencyKey
    {
        var first = ByteHash(seed: seed ^ 0x6964_656D)
        first.combine(userHash)
        first.combine(UInt64(saleSlot))
        first.combine(bytes: key)
        // The second half hashes the user bytes again, so the key does not rest on userHash alone.
        var second = ByteHash(seed: seed ^ 0x7365_636F_6E64)
        second.combine(bytes: user)
        second.combine(UInt64(saleSlot))
        second.combine(bytes: key)
        let firstBits = first.finalize()
        return IdempotencyKey(first: firstBits == 0 ? 1 : firstBits, second: second.finalize())
    }

    // MARK: decisions (called by workers)

    func checkIdempotency(_ keys: BuyerKeys, key: IdempotencyKey, fingerprint: UInt64, now: Int64) -> IdempotencyCheck {
        stripes[keys.stripe].state.withLock { stripe in
            Self.check(&stripe, key: key, fingerprint: fingerprint, now: now, retention: retentionMillis)
        }
    }

    @inline(__always)
    private static func check(
        _ stripe: inout LedgerStripe, key: IdempotencyKey, fingerprint: UInt64, now: Int64, retention: Int64
    ) -> IdempotencyCheck {
        guard let record = stripe.records[key] else { return .fresh }
        if now - record.madeAtMillis >= retention {
            stripe.records.remove(key)
            return .fresh
        }
        return record.fingerprint == fingerprint ? .duplicate(record.order) : .reused
    }

    /// Atomically: re-checks the idempotency key, checks the limit, adds the units and
    /// records the key.
    func reserve(
        _ keys: BuyerKeys, qty: Int, limit: Int, idempotency: IdempotencyKey?, fingerprint: UInt64,
        order: ReservedOrder, now: Int64
    ) -> LedgerReservation {
        let retention = retentionMillis
        return stripes[keys.stripe].state.withLock { stripe in
            if let key = idempotency {
                switch Self.check(&stripe, key: key, fingerprint: fingerprint, now: now, retention: retention) {
                case .fresh: break
                case .duplicate(let previous): return .duplicate(previous)
                case .reused: return .reused
                }
            }
            let held = Int(stripe.holdings[keys.holding] ?? 0)
            if qty > limit - held { return .limitExceeded }
            stripe.holdings.set(keys.holding, Int32(held + qty))
            if let key = idempotency {
                Self.insert(&stripe, key: key, fingerprint: fingerprint, order: order, now: now, retention: retention)
            }
            return .reserved
        }
    }

    private static func insert(
        _ stripe: inout LedgerStripe, key: IdempotencyKey, fingerprint: UInt64, order: ReservedOrder, now: Int64,
        retention: Int64
    ) {
        while let oldest = stripe.fifo.first, stripe.fifo.isFull || now - oldest.madeAtMillis >= retention {
            _ = stripe.fifo.removeFirst()
            if stripe.records[oldest.key]?.serial == oldest.serial { stripe.records.remove(oldest.key) }
        }
        stripe.serial &+= 1
        stripe.records.set(
            key, IdempotencyRecord(fingerprint: fingerprint, order: order, serial: stripe.serial, madeAtMillis: now))
        stripe.fifo.append((key, stripe.serial, now))
    }

    /// Undoes a reservation Redis refused. `unitsHeldInRedis` (a limit rejection) raises the
    /// entry to what Redis holds; `replacement` (an idempotency rejection) becomes the record.
    func rollback(
        _ keys: BuyerKeys, qty: Int, idempotency: IdempotencyKey?, fingerprint: UInt64, orderID: OrderID,
        unitsHeldInRedis: Int?, replacement: ReservedOrder?, now: Int64
    ) {
        let retention = retentionMillis
        stripes[keys.stripe].state.withLock { stripe in
            var held = Int(stripe.holdings[keys.holding] ?? 0) - qty
            if let redis = unitsHeldInRedis { held = max(held, redis) }
            Self.store(&stripe, holding: keys.holding, units: held)
            guard let key = idempotency else { return }
            if let replacement {
                Self.insert(&stripe, key: key, fingerprint: fingerprint, order: replacement, now: now, retention: retention)
            } else if stripe.records[key]?.order.id == orderID {
                stripe.records.remove(key)
            }
        }
    }

    @inline(__always)
    private static func store(_ stripe: inout LedgerStripe, holding: UInt64, units: Int) {
        if units <= 0 {
            stripe.holdings.remove(holding)
        } else {
            stripe.holdings.set(holding, Int32(clamping: units))
        }
    }

    // MARK: corrections from Redis (public)

    /// Units `user` holds (reserved + paid, as far as this process knows) of a SKU.
    public func unitsHeld(sku: SKUHandle, user: String) -> Int {
        var user = user
        return user.withUTF8 { bytes in
            let keys = keys(user: UnsafeRawBufferPointer(bytes), sku: sku)
            return stripes[keys.stripe].state.withLock { Int($0.holdings[keys.holding] ?? 0) }
        }
    }

    /// Sets the units `user` holds of a SKU to what Redis says (Redis wins). Orders of this
    /// user still waiting in a worker's queue are not in Redis yet: call this when they are
    /// flushed, or accept that the next local check may be short by them (Redis re-checks).
    public func setUnitsHeld(_ units: Int, sku: SKUHandle, user: String) {
        var user = user
        user.withUTF8 { bytes in
            let keys = keys(user: UnsafeRawBufferPointer(bytes), sku: sku)
            stripes[keys.stripe].state.withLock { Self.store(&$0, holding: keys.holding, units: units) }
        }
    }

    /// Releases `qty` units of an order Redis cancelled or expired (floors at 0).
    public func release(_ qty: Int, sku: SKUHandle, user: String) {
        guard qty > 0 else { return }
        var user = user
        user.withUTF8 { bytes in
            let keys = keys(user: UnsafeRawBufferPointer(bytes), sku: sku)
            stripes[keys.stripe].state.withLock { stripe in
                let held = Int(stripe.holdings[keys.holding] ?? 0)
                Self.store(&stripe, holding: keys.holding, units: held - min(qty, held))
            }
        }
    }

    /// Number of (sale, SKU, user) entries holding units.
    public var buyerEntryCount: Int {
        stripes.reduce(0) { total, stripe in total + stripe.state.withLock { $0.holdings.count } }
    }

    /// Number of idempotency records held.
    public var idempotencyRecordCount: Int {
        stripes.reduce(0) { total, stripe in total + stripe.state.withLock { $0.records.count } }
    }

    /// Bytes of table storage held now (dictionary buckets and rings, not counting
    /// allocator overhead): the figure behind "bytes per buyer" in docs/core.md.
    public var tableBytes: Int {
        stripes.reduce(0) { total, stripe in
            total + stripe.state.withLock { stripe in
                stripe.holdings.slotCount * (MemoryLayout<UInt64>.stride + MemoryLayout<Int32>.stride)
                    + stripe.records.slotCount
                    * (MemoryLayout<IdempotencyKey>.stride + MemoryLayout<IdempotencyRecord>.stride)
            }
        }
    }
}
