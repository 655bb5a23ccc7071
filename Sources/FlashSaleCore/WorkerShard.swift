/// Lease state of one SKU in one worker.
enum LeaseState: UInt8 {
    case idle
    /// Wanted; waiting for `drainLeaseRequests`.
    case queued
    /// Handed to the persistence layer; waiting for `leaseGranted` / `leaseFailed`.
    case inFlight
}

/// One SKU as one worker sees it: its slice of stock and what it knows of the pool.
struct SKURuntime {
    var name: String
    let handle: SKUHandle
    var exists: Bool
    var total: Int
    /// Unit price in minor units of the sale's currency (0: the sale has no prices).
    var price: Int64 = 0
    /// FNV-1a state after the name bytes (see `RequestFingerprint`).
    let fingerprintBase: UInt64
    /// Units leased to this worker and not yet reserved.
    var slice = 0
    /// Last pool size Redis reported (the SKU's total until the first lease).
    var poolEstimate: Int
    var poolKnownEmpty = false
    var emptyCheckedAtMillis: Int64 = 0
    var lease = LeaseState.idle
    var requestedUnits = 0
    var lastLeaseSize = 0
    var lastActivityMillis: Int64 = 0
    var parkedCount = 0
    /// Units leased to other workers (of any node) when a lease last found the pool short
    /// or emptied it (0 when unknown or when the pool had more): the tail may still sell them.
    var leasedElsewhere = 0
    /// Last lease answer, or lease asked for parked purchases waiting at the tail.
    var tailPolledAtMillis: Int64 = -(1 << 40)
}

struct SaleRuntime {
    var name: String
    var config: SaleConfig
    /// Copies of the config's scalars, read on every purchase.
    var startsAtMillis: Int64
    var endsAtMillis: Int64
    var perUserLimit: Int
    var reservationTTLMillis: Int64
    /// ISO 4217 code (`XXX` without prices): its 3 ASCII letters, for the 201 answer.
    var currency: CurrencyCode.Letters
    /// Schema 3: keyed orders get ids derived from this (nil: generated ids).
    var orderIDSalt: OrderIDSalt?
    var skus: [SKURuntime]
    var skuTable: NameTable
}

/// An order between its decision and Redis's answer: only what the flush and a rollback
/// need (88 bytes); `PendingOrder` is built from it when the order is drained.
struct PendingRecord {
    var user: String
    var idempotencyKey: String?
    var sku: SKUHandle
    var qty: Int32
    var stripe: Int32
    var holding: UInt64
    /// `.vacant` when the request had no key.
    var idempotency: IdempotencyKey
    var createdAtMillis: Int64
    var expiresAtMillis: Int64

    var keys: BuyerKeys { BuyerKeys(stripe: Int(stripe), userHash: 0, holding: holding) }

    static let filler = PendingRecord(
        user: "", idempotencyKey: nil, sku: SKUHandle(saleSlot: 0, skuSlot: 0), qty: 0, stripe: 0, holding: 0,
        idempotency: .vacant, createdAtMillis: 0, expiresAtMillis: 0)
}

/// One value stored outside the object that uses it. A class's stored `var` costs a dynamic
/// exclusivity check (a runtime call) on every access; the hot state of `WorkerShard` is
/// reached through addressors over these pointers instead, which the shard's single-thread
/// confinement makes safe.
struct OutOfLine<Value> {
    let pointer: UnsafeMutablePointer<Value>

    init(_ value: Value) {
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: value)
    }

    func free() {
        pointer.deinitialize(count: 1)
        pointer.deallocate()
    }
}

/// A purchase waiting for a lease. Holds Strings: parking is the rare path.
struct ParkedPurchase {
    let ticket: ParkTicket
    let sku: SKUHandle
    let user: String
    let idempotencyKey: String?
    let qty: Int
    let parkedAtMillis: Int64
}

/// The core of one worker: its stock slices, its order queue, its parked purchases, and the
/// one decision call `purchase`. Not thread-safe (not `Sendable`): create it on the worker's
/// loop thread and call it only there. Everything shared between workers lives in
/// `ProcessCore` (which it holds).
public final class WorkerShard {
    /// The shared part of the core.
    public let process: ProcessCore
    /// This worker's index (the worker component of its order ids).
    public let workerIndex: Int

    let policy: LeasePolicy
    let ledger: BuyerLedger
    let pendingCapacity: Int
    let parkCapacity: Int
    let parkTimeoutMillis: Int64

    private let idsStorage: OutOfLine<OrderIDGenerator>
    private let directoryVersionStorage = OutOfLine(UInt64.max)
    private let salesStorage = OutOfLine([SaleRuntime]())
    private let saleTableStorage = OutOfLine(NameTable())
    private let pendingStorage: OutOfLine<FastMap<OrderID, PendingRecord>>
    private let queueStorage: OutOfLine<BoundedRing<OrderID>>
    private let leaseWantedStorage = OutOfLine([SKUHandle]())
    private let parkedStorage = OutOfLine([ParkedPurchase]())
    private let resolutionsStorage = OutOfLine([(ParkTicket, PurchaseDecision)]())
    private let nextTicketStorage = OutOfLine(UInt64(1))

    var ids: OrderIDGenerator {
        unsafeAddress { UnsafePointer(idsStorage.pointer) }
        unsafeMutableAddress { idsStorage.pointer }
    }
    var directoryVersion: UInt64 {
        unsafeAddress { UnsafePointer(directoryVersionStorage.pointer) }
        unsafeMutableAddress { directoryVersionStorage.pointer }
    }
    /// Sales by directory slot.
    var sales: [SaleRuntime] {
        unsafeAddress { UnsafePointer(salesStorage.pointer) }
        unsafeMutableAddress { salesStorage.pointer }
    }
    /// Sale name -> slot.
    var saleTable: NameTable {
        unsafeAddress { UnsafePointer(saleTableStorage.pointer) }
        unsafeMutableAddress { saleTableStorage.pointer }
    }
    /// Orders decided and not yet answered by Redis.
    var pending: FastMap<OrderID, PendingRecord> {
        unsafeAddress { UnsafePointer(pendingStorage.pointer) }
        unsafeMutableAddress { pendingStorage.pointer }
    }
    /// Orders not yet drained, oldest first.
    var queue: BoundedRing<OrderID> {
        unsafeAddress { UnsafePointer(queueStorage.pointer) }
        unsafeMutableAddress { queueStorage.pointer }
    }
    var leaseWanted: [SKUHandle] {
        unsafeAddress { UnsafePointer(leaseWantedStorage.pointer) }
        unsafeMutableAddress { leaseWantedStorage.pointer }
    }
    var parked: [ParkedPurchase] {
        unsafeAddress { UnsafePointer(parkedStorage.pointer) }
        unsafeMutableAddress { parkedStorage.pointer }
    }
    var resolutions: [(ParkTicket, PurchaseDecision)] {
        unsafeAddress { UnsafePointer(resolutionsStorage.pointer) }
        unsafeMutableAddress { resolutionsStorage.pointer }
    }
    var nextTicket: UInt64 {
        unsafeAddress { UnsafePointer(nextTicketStorage.pointer) }
        unsafeMutableAddress { nextTicketStorage.pointer }
    }

    /// Creates the shard of worker `workerIndex` (0…65535).
    public init(process: ProcessCore, workerIndex: Int) {
        self.process = process
        self.workerIndex = workerIndex
        let configuration = process.configuration
        policy = configuration.leasePolicy
        ledger = process.ledger
        idsStorage = OutOfLine(
            OrderIDGenerator(instance: configuration.instance, worker: UInt16(truncatingIfNeeded: workerIndex)))
        pendingCapacity = configuration.pendingOrderCapacity
        // Starts small and grows to the working set: a table sized for the capacity would
        // spread the few hundred orders in flight over megabytes and miss the cache.
        pendingStorage = OutOfLine(FastMap(minimumCapacity: 64, filler: PendingRecord.filler))
        queueStorage = OutOfLine(BoundedRing(capacity: configuration.pendingOrderCapacity))
        parkCapacity = configuration.parkCapacity
        parkTimeoutMillis = configuration.parkTimeoutMillis
        parked.reserveCapacity(min(parkCapacity, 1024))
        resolutions.reserveCapacity(min(parkCapacity, 1024))
        syncSales()
    }

    deinit {
        idsStorage.free()
        directoryVersionStorage.free()
        salesStorage.free()
        saleTableStorage.free()
        pendingStorage.free()
        queueStorage.free()
        leaseWantedStorage.free()
        parkedStorage.free()
        resolutionsStorage.free()
        nextTicketStorage.free()
    }

    // MARK: sales

    /// Picks up sales installed or changed since the last call (one atomic load when nothing
    /// changed). Every public entry point calls it.
    @inline(__always)
    func syncIfNeeded() {
        if process.sales.version != directoryVersion { syncSales() }
    }

    func syncSales() {
        let snapshot = process.sales.snapshot()
        var refreshed: [SaleRuntime] = []
        refreshed.reserveCapacity(snapshot.entries.count)
        for entry in snapshot.entries {
            let slot = Int(entry.slot)
            var skus: [SKURuntime] = []
            var tableEntries: [(name: String, value: Int)] = []
            for (skuSlot, name) in entry.skuNames.enumerated() {
                let stock = entry.stockBySlot[skuSlot]
                var runtime: SKURuntime
                if slot < sales.count, skuSlot < sales[slot].skus.count {
                    runtime = sales[slot].skus[skuSlot]
                } else {
                    var fnv: UInt64 = 0xcbf2_9ce4_8422_2325
                    for byte in name.utf8 { fnv = (fnv ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
                    runtime = SKURuntime(
                        name: name, handle: SKUHandle(saleSlot: entry.slot, skuSlot: UInt32(skuSlot)),
                        exists: true, total: max(0, stock), fingerprintBase: fnv, poolEstimate: max(0, stock))
                }
                runtime.exists = stock >= 0
                runtime.total = max(0, stock)
                runtime.price = entry.priceBySlot[skuSlot]
                if runtime.exists { tableEntries.append((name, skuSlot)) }
                skus.append(runtime)
            }
            refreshed.append(SaleRuntime(
                name: entry.config.name, config: entry.config, startsAtMillis: entry.config.startsAtMillis,
                endsAtMillis: entry.config.endsAtMillis, perUserLimit: entry.config.perUserLimit,
                reservationTTLMillis: entry.config.reservationTTLMillis, currency: CurrencyCode.Letters(entry.config.currency),
                orderIDSalt: entry.config.orderIDSalt, skus: skus, skuTable: NameTable(tableEntries)))
        }
        sales = refreshed
        saleTable = NameTable(snapshot.entries.map { ($0.config.name, Int($0.slot)) })
        directoryVersion = snapshot.version
    }

    /// The handle of a SKU, if the sale and SKU exist.
    public func skuHandle(sale: String, sku: String) -> SKUHandle? {
        syncIfNeeded()
        var saleText = sale
        var skuText = sku
        return saleText.withUTF8 { saleBytes in
            guard let s = saleTable.lookup(UnsafeRawBufferPointer(saleBytes)) else { return nil }
            return skuText.withUTF8 { skuBytes in
                sales[s].skuTable.lookup(UnsafeRawBufferPointer(skuBytes)).map { sales[s].skus[$0].handle }
            }
        }
    }

    /// The sale and SKU names of a handle (no allocation: the stored Strings are returned).
    public func names(of handle: SKUHandle) -> (sale: String, sku: String)? {
        guard let (s, k) = indices(of: handle) else { return nil }
        return (sales[s].name, sales[s].skus[k].name)
    }

    /// What a reservation of `quantity` units of `handle` shows: the SKU name (the stored
    /// String, no copy), the amount in minor units (price × quantity, nil if it does not fit
    /// in 64 bits, which the sale's bounds rule out) and the sale's currency letters.
    @inline(__always)
    public func terms(of handle: SKUHandle, quantity: Int) -> (sku: String, amount: Int64?, currency: CurrencyCode.Letters)? {
        guard let (s, k) = indices(of: handle) else { return nil }
        return (sales[s].skus[k].name, SaleItem.amount(price: sales[s].skus[k].price, quantity: quantity), sales[s].currency)
    }

    /// The state of a sale at `now` as this worker knows it: `soldOut` when every SKU's pool
    /// is known empty and this worker's slices are empty. Nil for an unknown sale.
    public func saleState(sale: String, now: Int64) -> SaleState? {
        syncIfNeeded()
        var saleText = sale
        guard let s = saleText.withUTF8({ saleTable.lookup(UnsafeRawBufferPointer($0)) }) else { return nil }
        let state = sales[s].config.scheduleState(now: now)
        guard state == .live else { return state }
        let soldOut = sales[s].skus.allSatisfy { !$0.exists || ($0.slice == 0 && $0.poolKnownEmpty) }
        return soldOut ? .soldOut : .live
    }

    @inline(__always)
    func indices(of handle: SKUHandle) -> (Int, Int)? {
        syncIfNeeded()
        let s = Int(handle.saleSlot)
        guard s < sales.count else { return nil }
        let k = Int(handle.skuSlot)
        guard k < sales[s].skus.count else { return nil }
        return (s, k)
    }
}
