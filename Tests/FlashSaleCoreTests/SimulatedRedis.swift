import FlashSaleCore
import Synchronization

/// A stand-in for Redis with the same atomic rules as the Lua scripts (lease, flush with
/// lease/limit/idempotency re-checks, cancel, pay, return, reclaim), guarded by one lock.
/// It records every case where the engine asked it to do something the engine's own cache
/// should have prevented (a "violation"): selling beyond a lease, beyond a per-user limit,
/// or a second order for one (user, key).
final class SimulatedRedis: Sendable {
    struct BuyerKey: Hashable {
        let sku: SKUHandle
        let user: String
    }

    struct IdemKey: Hashable {
        let sale: UInt32
        let user: String
        let key: String
    }

    enum Status { case reserved, paid, cancelled, expired }

    struct Order {
        let worker: Int
        let sku: SKUHandle
        let user: String
        let qty: Int
        let key: String?
        let reservation: ReservedOrder
        var status: Status
    }

    struct SKUState {
        var total: Int
        var pool: Int
        var leases: [Int: Int] = [:]
        var reserved = 0
        var paid = 0
    }

    struct State {
        var skus: [SKUHandle: SKUState] = [:]
        var limits: [UInt32: Int] = [:]
        var buyers: [BuyerKey: Int] = [:]
        var idem: [IdemKey: (fingerprint: UInt64, order: ReservedOrder)] = [:]
        var orders: [OrderID: Order] = [:]
        var violations: [String] = []
        var foreignUsers: Set<BuyerKey> = []
        var foreignKeys: Set<IdemKey> = []
        var reclaimed: Set<SKUHandle> = []
        var foreignSequence: UInt32 = 0
    }

    let state = Mutex(State())

    init(skus: [(SKUHandle, Int)], limits: [UInt32: Int]) {
        state.withLock { state in
            for (handle, stock) in skus { state.skus[handle] = SKUState(total: stock, pool: stock) }
            state.limits = limits
        }
    }

    /// The lease script: take min(pool, units); when the pool falls short or is emptied, also what the
    /// other workers' leases hold.
    func lease(worker: Int, sku: SKUHandle, units: Int) -> (granted: Int, poolAfter: Int, elsewhere: Int) {
        state.withLock { state in
            var entry = state.skus[sku]!
            let granted = min(entry.pool, units)
            entry.pool -= granted
            entry.leases[worker, default: 0] += granted
            state.skus[sku] = entry
            let elsewhere = granted < units || entry.pool == 0 ? entry.leases.filter { $0.key != worker }.values.reduce(0, +) : 0
            return (granted, entry.pool, elsewhere)
        }
    }

    /// The flush script for one order. `inject` forces a refusal before anything is checked
    /// (`.rejected(.other)`) or a transport failure (`.retry`): nothing is applied then.
    func flush(worker: Int, order: PendingOrder, inject: FlushOutcome? = nil) -> FlushOutcome {
        state.withLock { state in
            if let existing = state.orders[order.id] {
                return existing.worker == worker ? .confirmed : .rejected(.other)
            }
            if let inject { return inject }
            var entry = state.skus[order.sku]!
            let leased = entry.leases[worker, default: 0]
            if leased < order.qty {
                if !state.reclaimed.contains(order.sku) {
                    state.violations.append("order \(order.id) sells \(order.qty) beyond lease \(leased) of worker \(worker)")
                }
                return .rejected(.lease)
            }
            if let key = order.idempotencyKey {
                let idemKey = IdemKey(sale: order.sku.saleSlot, user: order.user, key: key)
                if let existing = state.idem[idemKey] {
                    if !state.foreignKeys.contains(idemKey) {
                        state.violations.append("second order for user \(order.user) key \(key)")
                    }
                    return .rejected(.idempotency(
                        existing: existing.order, sameBody: existing.fingerprint == RequestFingerprint.of(sku: order.skuName, qty: order.qty)))
                }
            }
            let buyerKey = BuyerKey(sku: order.sku, user: order.user)
            let held = state.buyers[buyerKey, default: 0]
            let limit = state.limits[order.sku.saleSlot]!
            if held + order.qty > limit {
                if !state.foreignUsers.contains(buyerKey) {
                    state.violations.append("user \(order.user) would hold \(held + order.qty) > \(limit)")
                }
                return .rejected(.limit(unitsHeld: held))
            }
            entry.leases[worker] = leased - order.qty
            entry.reserved += order.qty
            state.skus[order.sku] = entry
            state.buyers[buyerKey] = held + order.qty
            if let key = order.idempotencyKey {
                state.idem[IdemKey(sale: order.sku.saleSlot, user: order.user, key: key)] =
                    (RequestFingerprint.of(sku: order.skuName, qty: order.qty), order.reservation)
            }
            state.orders[order.id] = Order(
                worker: worker, sku: order.sku, user: order.user, qty: order.qty, key: order.idempotencyKey,
                reservation: order.reservation, status: .reserved)
            return .confirmed
        }
    }

    /// Moves units of a worker's lease back to the pool.
    func returnLease(worker: Int, sku: SKUHandle, units: Int) {
        state.withLock { state in
            var entry = state.skus[sku]!
            let leased = entry.leases[worker, default: 0]
            if units > leased && !state.reclaimed.contains(sku) {
                state.violations.append("worker \(worker) returns \(units) > lease \(leased)")
            }
            let moved = min(units, leased)
            entry.leases[worker] = leased - moved
            entry.pool += moved
            state.skus[sku] = entry
        }
    }

    /// Cancel or expire a reserved order: units back to the pool. Returns it, or nil.
    func release(_ id: OrderID, expired: Bool) -> Order? {
        state.withLock { state in
            guard var order = state.orders[id], order.status == .reserved else { return nil }
            order.status = expired ? .expired : .cancelled
            state.orders[id] = order
            var entry = state.skus[order.sku]!
            entry.reserved -= order.qty
            entry.pool += order.qty
            state.skus[order.sku] = entry
            state.buyers[BuyerKey(sku: order.sku, user: order.user), default: 0] -= order.qty
            return order
        }
    }

    func pay(_ id: OrderID) {
        state.withLock { state in
            guard var order = state.orders[id], order.status == .reserved else { return }
            order.status = .paid
            state.orders[id] = order
            state.skus[order.sku]!.reserved -= order.qty
            state.skus[order.sku]!.paid += order.qty
        }
    }

    /// A lease reclaim (e.g. the node was declared dead): the worker's lease goes to the pool.
    func reclaim(worker: Int, sku: SKUHandle) -> Int {
        state.withLock { state in
            state.reclaimed.insert(sku)
            let leased = state.skus[sku]!.leases[worker, default: 0]
            state.skus[sku]!.leases[worker] = 0
            state.skus[sku]!.pool += leased
            return leased
        }
    }

    /// Another node sells one unit to `user` straight from the pool.
    func foreignPurchase(sku: SKUHandle, user: String) {
        state.withLock { state in
            let key = BuyerKey(sku: sku, user: user)
            guard state.skus[sku]!.pool > 0, state.buyers[key, default: 0] < state.limits[sku.saleSlot]! else { return }
            state.skus[sku]!.pool -= 1
            state.skus[sku]!.reserved += 1
            state.buyers[key, default: 0] += 1
            state.foreignUsers.insert(key)
            state.foreignSequence += 1
            let reservation = ReservedOrder(
                id: OrderID(millis: 1, instance: 999, worker: 0, sequence: state.foreignSequence), sku: sku, qty: 1,
                createdAtMillis: 1, expiresAtMillis: 2)
            state.orders[reservation.id] = Order(
                worker: -1, sku: sku, user: user, qty: 1, key: nil, reservation: reservation, status: .reserved)
        }
    }

    /// Another node already used (user, key) for an order of `sku` with body fingerprint `fingerprint`.
    func foreignKey(sku: SKUHandle, user: String, key: String, fingerprint: UInt64) {
        state.withLock { state in
            let idemKey = IdemKey(sale: sku.saleSlot, user: user, key: key)
            guard state.idem[idemKey] == nil else { return }
            state.foreignKeys.insert(idemKey)
            state.foreignSequence += 1
            let reservation = ReservedOrder(
                id: OrderID(millis: 1, instance: 998, worker: 0, sequence: state.foreignSequence), sku: sku, qty: 1,
                createdAtMillis: 1, expiresAtMillis: 2)
            state.idem[idemKey] = (fingerprint, reservation)
        }
    }

    /// Problems with total = pool + Σ leases + reserved + paid, negative counts, or units
    /// held beyond the limit, plus the violations recorded so far.
    func problems() -> [String] {
        state.withLock { state in
            var found = state.violations
            for (handle, entry) in state.skus {
                let leased = entry.leases.values.reduce(0, +)
                if entry.total != entry.pool + leased + entry.reserved + entry.paid {
                    found.append("\(handle): total \(entry.total) != pool \(entry.pool) + leases \(leased) + reserved \(entry.reserved) + paid \(entry.paid)")
                }
                if entry.pool < 0 || entry.leases.values.contains(where: { $0 < 0 }) || entry.reserved < 0 {
                    found.append("\(handle): negative count")
                }
                let orderUnits = state.orders.values.filter { $0.sku == handle && ($0.status == .reserved || $0.status == .paid) }
                    .reduce(0) { $0 + $1.qty }
                if orderUnits != entry.reserved + entry.paid { found.append("\(handle): order units \(orderUnits) != counts") }
                if orderUnits > entry.total { found.append("\(handle): oversold \(orderUnits) > \(entry.total)") }
            }
            for (key, held) in state.buyers where held > state.limits[key.sku.saleSlot]! || held < 0 {
                found.append("user \(key.user) holds \(held) of \(key.sku)")
            }
            return found
        }
    }

    func snapshot() -> State { state.withLock { $0 } }
}
