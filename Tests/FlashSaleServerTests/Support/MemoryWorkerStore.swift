import FlashSaleCore
import FlashSaleLoop
import FlashSaleWorker

/// A worker store in memory, for in-process tests of the engine and the API: the same
/// rules as the Redis scripts in their simplest form (pools and leases per SKU, a flush
/// that re-checks lease, per-user limit and idempotency key, pay/cancel by status).
/// Completions run on a later loop turn, as a network round trip would. Loop thread only.
final class MemoryWorkerStore: WorkerStore {
    private let loop: EventLoop
    private let timer: LoopTimer
    private var due: [() -> Void] = []

    private(set) var health: StoreHealth = .down
    var onHealthChange: ((StoreHealth, String) -> Void)?
    var canAcceptCommand: Bool { health == .up }
    var inFlight: Int { due.count }

    /// `sale/sku` → units in the pool; `sale/sku` → worker → units leased.
    private(set) var pools: [String: Int64] = [:]
    private(set) var leases: [String: [String: Int64]] = [:]
    private var sales: [String: SaleConfig] = [:]
    private var buyers: [String: Int64] = [:]
    private var idempotency: [String: (id: String, sku: String, qty: Int)] = [:]
    private(set) var orders: [String: OrderRecord] = [:]
    private(set) var audit: [[(String, String)]] = []
    private(set) var published: [String: [(String, String)]] = [:]
    /// sale → worker → last beat (the loop's wall clock, the double's stand-in for Redis `TIME`).
    private(set) var holders: [String: [String: Int64]] = [:]
    /// Replicas that confirm a `WAIT` (`--ack replicated`), and the `WAIT`s received.
    var replicasAvailable = 1
    /// `WAIT` answers before the flush it follows (as when Redis ran the flush after it: a
    /// NOSCRIPT fallback, a redirect, a retry).
    var waitAnswersBeforeFlush = false
    private(set) var replicaWaits = 0

    init(loop: EventLoop) {
        self.loop = loop
        timer = LoopTimer(loop: loop)
    }

    /// Simulates Redis going down (`false`) or coming back (`true`).
    func setUp(_ up: Bool) {
        health = up ? .up : .down
        onHealthChange?(health, up ? "" : "simulated outage")
    }

    private func later(_ work: @escaping () -> Void) {
        due.append(work)
        guard !timer.isActive else { return }
        timer.start(afterMillis: 0) { [unowned self] in
            let batch = self.due
            self.due.removeAll()
            for work in batch { work() }
        }
    }

    private func reply<T>(_ completion: @escaping (Result<T, StoreError>) -> Void, _ value: @escaping () -> T) {
        guard health == .up else {
            return completion(.failure(.unavailable("store down", surelyNotRun: true)))
        }
        later { completion(.success(value())) }
    }

    func start() { later { [unowned self] in self.setUp(true) } }
    func close() {
        health = .closed
        timer.close()
    }

    // MARK: StockStore

    func lease(sale: String, sku: String, worker: String, want: Int64, completion: @escaping (Result<LeaseOutcome, StoreError>) -> Void) {
        reply(completion) { [unowned self] in
            let key = sale + "/" + sku
            guard let pool = self.pools[key] else { return .unknownSKU }
            let granted = min(pool, want)
            self.pools[key] = pool - granted
            self.leases[key, default: [:]][worker, default: 0] += granted
            if granted > 0 { self.holders[sale, default: [:]][worker] = EventLoop.wallClockMillis() }
            let held = self.leases[key]![worker]!
            let elsewhere = self.leases[key]!.values.reduce(0, +) - held
            return .changed(LeaseChange(units: granted, poolAfter: pool - granted, heldAfter: held, leasedElsewhere: elsewhere))
        }
    }

    func returnLease(sale: String, sku: String, worker: String, units: Int64?, completion: @escaping (Result<LeaseOutcome, StoreError>) -> Void) {
        reply(completion) { [unowned self] in
            let key = sale + "/" + sku
            guard let pool = self.pools[key] else { return .unknownSKU }
            let held = self.leases[key]?[worker] ?? 0
            let back = min(held, units ?? held)
            self.leases[key, default: [:]][worker] = held - back
            self.pools[key] = pool + back
            return .changed(LeaseChange(units: back, poolAfter: pool + back, heldAfter: held - back))
        }
    }

    func reclaim(sales: [String], node: String, completion: @escaping (Result<Int, StoreError>) -> Void) {
        reply(completion) { 0 }
    }

    func leasesHeld(_ skus: [(sale: String, sku: String)], worker: String, completion: @escaping ([Result<Int64, StoreError>]) -> Void) {
        later { [unowned self] in completion(skus.map { .success(self.leases[$0.sale + "/" + $0.sku]?[worker] ?? 0) }) }
    }

    // MARK: OrderStore

    func flush(sale: String, worker: String, orders batch: ArraySlice<PendingOrder>, completion: @escaping (Result<FlushReply, StoreError>) -> Void) {
        let batch = Array(batch)
        reply(completion) { [unowned self] in
            guard let config = self.sales[sale] else { return FlushReply(results: [], leasesAfter: [:], saleFound: false) }
            var results: [FlushOrderResult] = []
            for order in batch {
                let id = order.id.text
                let key = sale + "/" + order.skuName
                if self.orders[id] != nil { results.append(.alreadyRecorded); continue }
                if let idem = order.idempotencyKey, let prior = self.idempotency[sale + "/" + order.user + "/" + idem] {
                    let same = prior.sku == order.skuName && prior.qty == order.qty
                    let record = same ? self.orders[prior.id] : nil
                    results.append(.duplicate(
                        existingOrderID: prior.id, createdAtMillis: record?.createdAtMillis ?? 0,
                        expiresAtMillis: record?.expiresAtMillis ?? 0, sameRequest: same))
                    continue
                }
                let held = self.leases[key]?[worker] ?? 0
                guard held >= Int64(order.qty) else { results.append(.rejected(.lease)); continue }
                let units = self.buyers[key + "/" + order.user, default: 0]
                guard units + Int64(order.qty) <= Int64(config.perUserLimit) else { results.append(.rejected(.limit)); continue }
                self.leases[key]![worker] = held - Int64(order.qty)
                self.buyers[key + "/" + order.user] = units + Int64(order.qty)
                if let idem = order.idempotencyKey {
                    self.idempotency[sale + "/" + order.user + "/" + idem] = (id, order.skuName, order.qty)
                }
                self.orders[id] = OrderRecord(sale: sale, orderID: id, fields: [
                    "sku": order.skuName, "user": order.user, "qty": String(order.qty), "status": "reserved",
                    "amount": String(order.amountMinorUnits),
                    "created_at": String(order.createdAtMillis), "expires_at": String(order.expiresAtMillis),
                ])
                results.append(.recorded)
            }
            return FlushReply(results: results, leasesAfter: [:], saleFound: true)
        }
    }

    func unitsHeld(sale: String, sku: String, user: String, completion: @escaping (Result<Int64, StoreError>) -> Void) {
        reply(completion) { [unowned self] in self.buyers[sale + "/" + sku + "/" + user] ?? 0 }
    }

    func expireDue(sales: [String], nowMillis: Int64, limit: Int, completion: @escaping ([Result<SweepOutcome, StoreError>]) -> Void) {
        later { completion(sales.map { _ in .success(SweepOutcome(expired: [], more: false)) }) }
    }

    // MARK: SaleStore

    func loadSales(changedFrom revisions: [String: String], completion: @escaping (Result<(sales: [StoredSale], complete: Bool), StoreError>) -> Void) {
        reply(completion) { [unowned self] in
            (self.sales.values.map { StoredSale(config: $0, revision: "1") }.filter { revisions[$0.config.name] == nil }, true)
        }
    }

    func upsertSale(_ sale: SaleConfig, nowMillis: Int64, completion: @escaping (Result<SaleUpsertOutcome, StoreError>) -> Void) {
        reply(completion) { [unowned self] in
            if let existing = self.sales[sale.name] {
                if existing == sale { return .unchanged }
                if existing.startsAtMillis <= nowMillis, existing.items != sale.items { return .saleLive(field: sale.items[0].sku) }
                if existing.startsAtMillis <= nowMillis, existing.currency != sale.currency { return .saleLive(field: "currency") }
            }
            for item in sale.items { self.pools[sale.name + "/" + item.sku] = Int64(item.stock) }
            let created = self.sales[sale.name] == nil
            self.sales[sale.name] = sale
            return created ? .created : .updated
        }
    }

    func changeStock(
        sale: String, sku: String, delta: Int64, maximum: Int64, nowMillis: Int64,
        completion: @escaping (Result<StockChangeOutcome, StoreError>) -> Void
    ) {
        reply(completion) { [unowned self] in
            guard var config = self.sales[sale] else { return .saleNotFound }
            guard let index = config.items.firstIndex(where: { $0.sku == sku }) else { return .skuNotFound }
            let key = sale + "/" + sku
            let pool = self.pools[key] ?? 0
            let total = Int64(config.items[index].stock)
            if delta < 0, pool < -delta { return .insufficientPool(pool: pool) }
            if total + delta > maximum { return .aboveMaximum(total: total + delta, maximum: maximum) }
            self.pools[key] = pool + delta
            config.items[index].stock += Int(delta)
            self.sales[sale] = config
            return .changed(total: total + delta, pool: pool + delta)
        }
    }

    func sale(_ name: String, nowMillis: Int64, completion: @escaping (Result<SaleSnapshot?, StoreError>) -> Void) {
        reply(completion) { [unowned self] in
            guard let config = self.sales[name] else { return nil }
            let items = config.items.map { item -> SaleSnapshot.Item in
                let key = name + "/" + item.sku
                let free = (self.pools[key] ?? 0) + (self.leases[key]?.values.reduce(0, +) ?? 0)
                return SaleSnapshot.Item(sku: item.sku, stock: Int64(item.stock), available: free, price: item.price)
            }
            let state = SaleState.at(now: nowMillis, startsAtMillis: config.startsAtMillis, endsAtMillis: config.endsAtMillis,
                                     anyAvailable: items.contains { $0.available > 0 })
            return SaleSnapshot(
                sale: name, state: state.rawValue, startsAtMillis: config.startsAtMillis, endsAtMillis: config.endsAtMillis,
                perUserLimit: Int64(config.perUserLimit), reservationTTLSeconds: config.reservationTTLMillis / 1000, items: items,
                currency: config.currency)
        }
    }

    // MARK: OrderAdminStore

    func pay(orderID: String, in sales: [String], nowMillis: Int64, completion: @escaping (Result<(sale: String, outcome: PayOutcome)?, StoreError>) -> Void) {
        reply(completion) { [unowned self] in
            guard var order = self.orders[orderID] else { return nil }
            switch order.status {
            case "reserved":
                self.move(&order, to: "paid", ["paid_at": String(nowMillis)])
                return (order.sale, .paid(orderID: orderID, sku: order.sku, user: order.user, quantity: order.quantity))
            case "paid", "fulfilled": return (order.sale, .alreadyPaid)
            default: return (order.sale, .notReserved(status: order.status))
            }
        }
    }

    func cancel(orderID: String, user: String, in sales: [String], nowMillis: Int64, completion: @escaping (Result<(sale: String, outcome: CancelOutcome)?, StoreError>) -> Void) {
        reply(completion) { [unowned self] in
            guard var order = self.orders[orderID], order.user == user else { return nil }
            guard order.status == "reserved" else { return (order.sale, .notReserved(status: order.status)) }
            order.status = "cancelled"
            self.orders[orderID] = order
            let key = order.sale + "/" + order.sku
            self.pools[key, default: 0] += order.quantity
            self.buyers[key + "/" + user, default: 0] -= order.quantity
            return (order.sale, .cancelled(ReleasedOrder(orderID: orderID, sku: order.sku, user: user, quantity: order.quantity)))
        }
    }

    func fulfil(
        orderID: String, carrier: String, tracking: String, in sales: [String], nowMillis: Int64,
        completion: @escaping (Result<(sale: String, outcome: FulfilOutcome)?, StoreError>) -> Void
    ) {
        reply(completion) { [unowned self] in
            guard var order = self.orders[orderID] else { return nil }
            switch order.status {
            case "paid":
                self.move(&order, to: "fulfilled", ["fulfilled_at": String(nowMillis), "carrier": carrier, "tracking": tracking])
                return (order.sale, .fulfilled)
            case "fulfilled":
                return (order.sale, .alreadyFulfilled(carrier: order.fields["carrier"] ?? "", tracking: order.fields["tracking"] ?? ""))
            default: return (order.sale, .notPaid(status: order.status))
            }
        }
    }

    /// Gives a stored order its new status and `fields`.
    private func move(_ order: inout OrderRecord, to status: String, _ fields: [String: String]) {
        order.status = status
        order.fields["status"] = status
        order.fields.merge(fields) { _, new in new }
        orders[order.orderID] = order
    }

    func order(orderID: String, in sales: [String], completion: @escaping (Result<OrderRecord?, StoreError>) -> Void) {
        reply(completion) { [unowned self] in self.orders[orderID] }
    }

    // MARK: LeaseLivenessStore, ReplicationStore

    /// What another node's reaper does to a silent `worker`: its leases of `sale` go back
    /// to the pools and it is no holder any more. Returns the units returned.
    @discardableResult
    func reapHolder(sale: String, worker: String) -> Int64 {
        holders[sale]?[worker] = nil
        var units: Int64 = 0
        for key in leases.keys where key.hasPrefix(sale + "/") {
            let held = leases[key]?[worker] ?? 0
            leases[key]?[worker] = nil
            pools[key, default: 0] += held
            units += held
        }
        return units
    }

    func beat(sale: String, worker: String, completion: @escaping (Result<HolderBeat, StoreError>) -> Void) {
        reply(completion) { [unowned self] in
            guard self.holders[sale]?[worker] != nil else { return .notHolder }
            let holds = self.leases.contains { $0.key.hasPrefix(sale + "/") && ($0.value[worker] ?? 0) > 0 }
            guard holds else {
                self.holders[sale]?[worker] = nil
                return .released
            }
            self.holders[sale]?[worker] = EventLoop.wallClockMillis()
            return .alive
        }
    }

    func reapSilentHolders(
        sale: String, graceMillis: Int64, completion: @escaping (Result<[ReapedHolder], StoreError>) -> Void
    ) {
        reply(completion) { [unowned self] in
            let now = EventLoop.wallClockMillis()
            let silent = (self.holders[sale] ?? [:]).filter { now - $0.value > graceMillis }.keys.sorted()
            return silent.map { ReapedHolder(worker: $0, units: self.reapHolder(sale: sale, worker: $0)) }
        }
    }

    func waitForReplicas(
        sale: String, replicas: Int, timeoutMillis: Int, completion: @escaping (Result<Int, StoreError>) -> Void
    ) {
        replicaWaits += 1
        if waitAnswersBeforeFlush, health == .up { return completion(.success(replicasAvailable)) }
        reply(completion) { [unowned self] in self.replicasAvailable }
    }

    // MARK: NodeStatsStore, AuditStore

    func publishStats(worker: String, fields: [(String, String)], ttlSeconds: Int) {
        published[worker] = fields
    }

    func appendAudit(_ fields: [(String, String)], completion: @escaping (StoreError?) -> Void) {
        guard health == .up else { return completion(.unavailable("store down", surelyNotRun: true)) }
        audit.append(fields)
        later { completion(nil) }
    }
}
