import FlashSaleCore

struct ModelFailure: Error, CustomStringConvertible {
    let description: String
}

/// Drives several `WorkerShard`s of one `ProcessCore` (on one thread) and a
/// `SimulatedRedis` with random operations, and checks every answer against a small
/// reference model of what the core must do.
final class ModelHarness {
    struct SKUInfo {
        let handle: SKUHandle
        let sale: String
        let sku: String
        let total: Int
    }

    struct HoldKey: Hashable {
        let sku: SKUHandle
        let user: String
    }

    struct IdemKey: Hashable {
        let sale: UInt32
        let user: String
        let key: String
    }

    struct Request {
        let sale: String
        let sku: String
        let user: String
        let key: String?
        let qty: Int
    }

    struct ModelOrder {
        let handle: SKUHandle
        let user: String
        let qty: Int
        let key: String?
        let fingerprint: UInt64
        let expires: Int64
    }

    struct Parked {
        let request: Request
        let at: Int64
    }

    struct WorkerModel {
        var slice: [SKUHandle: Int] = [:]
        var pool: [SKUHandle: Int] = [:]
        /// Units leased to other workers, as the last delivered lease reported.
        var elsewhere: [SKUHandle: Int] = [:]
        var pending: [OrderID: ModelOrder] = [:]
        var parked: [ParkTicket: Parked] = [:]
        var lastID: OrderID?
    }

    var rng: SeededRandom
    let configuration: CoreConfiguration
    let core: ProcessCore
    let shards: [WorkerShard]
    let redis: SimulatedRedis
    var configs: [String: SaleConfig] = [:]
    var skus: [SKUInfo] = []
    var now: Int64 = 1000
    var workers: [WorkerModel]
    var holds: [HoldKey: Int] = [:]
    var idem: [IdemKey: (fingerprint: UInt64, order: ReservedOrder)] = [:]
    var leasesInFlight: [(worker: Int, sku: SKUHandle, granted: Int, poolAfter: Int, elsewhere: Int)] = []
    var flushesInFlight: [(worker: Int, order: PendingOrder)] = []
    var history: [Request] = []
    var reclaimed = false
    let allowReclaim: Bool
    var log: [String] = []
    /// How often each decision kind was seen (to show the sequences reach every path).
    var seen: [String: Int] = [:]
    let users = ["u0", "u1", "u2", "u3", "u4", "u5", "a-user-id-longer-than-fifteen-bytes"]

    init(seed: UInt64, workerCount: Int = 2) throws {
        rng = SeededRandom(seed: seed)
        configuration = CoreConfiguration(
            instance: 7, leasePolicy: LeasePolicy(maxLease: 8, shareDivisor: 3, emptyPoolRecheckMillis: 200),
            pendingOrderCapacity: 6, parkCapacity: 4, parkTimeoutMillis: 50, idempotencyCapacity: 1 << 16,
            idempotencyRetentionMillis: 1 << 40, ledgerStripes: 4, hashSeed: seed)
        let core = ProcessCore(configuration: configuration)
        self.core = core
        let alphaStart = Int64(1000 + rng.int(0...200))
        let betaStart = Int64(1000 + rng.int(0...1200))
        let sales = [
            SaleConfig(
                name: "alpha", startsAtMillis: alphaStart, endsAtMillis: alphaStart + Int64(rng.int(500...6000)),
                perUserLimit: [1, 1, 2, 2, 3, 3][rng.int(0...5)], reservationTTLMillis: 100,
                items: [SaleItem(sku: "a1", stock: rng.int(0...12)), SaleItem(sku: "a2", stock: rng.int(1...30))]),
            SaleConfig(
                name: "beta", startsAtMillis: betaStart, endsAtMillis: betaStart + Int64(rng.int(500...4000)),
                perUserLimit: rng.int(1...2), reservationTTLMillis: 100,
                items: [SaleItem(sku: "b-sku-with-a-long-name", stock: rng.int(1...8))]),
        ]
        var limits: [UInt32: Int] = [:]
        var stocks: [(SKUHandle, Int)] = []
        for sale in sales {
            _ = try core.sales.install(sale)
            configs[sale.name] = sale
            for item in sale.items {
                let handle = core.sales.skuHandle(sale: sale.name, sku: item.sku)!
                limits[handle.saleSlot] = sale.perUserLimit
                skus.append(SKUInfo(handle: handle, sale: sale.name, sku: item.sku, total: item.stock))
                stocks.append((handle, item.stock))
            }
        }
        redis = SimulatedRedis(skus: stocks, limits: limits)
        shards = (0..<workerCount).map { WorkerShard(process: core, workerIndex: $0) }
        workers = Array(repeating: WorkerModel(), count: workerCount)
        for w in workers.indices {
            for info in skus {
                workers[w].slice[info.handle] = 0
                workers[w].pool[info.handle] = info.total
            }
        }
        allowReclaim = rng.chance(20)
    }

    func fail(_ message: String) -> ModelFailure {
        ModelFailure(description: message + "\nlast operations:\n" + log.suffix(12).joined(separator: "\n"))
    }

    // MARK: running

    func run(steps: Int) throws {
        for _ in 0..<steps {
            now += Int64(rng.int(0...6))
            try step()
            try checkConsistency()
        }
    }

    func step() throws {
        let w = rng.int(0...(shards.count - 1))
        let roll = rng.int(0...99)
        switch roll {
        case 0..<40: try purchase(worker: w)
        case 40..<50: drainLeases(worker: w)
        case 50..<60: try deliverLease()
        case 60..<68: drainOrders(worker: w)
        case 68..<80: try flushOne()
        case 80..<84: try releaseOne()
        case 84..<86: payOne()
        case 86..<88: returnSlices(worker: w)
        case 88..<89: tail(worker: w)
        case 89..<92: try expireParked(worker: w)
        case 92..<96:
            now += Int64(rng.int(1...300))
            log.append("time -> \(now)")
        case 96..<98: foreign()
        default: try reclaim(worker: w)
        }
    }

    // MARK: operations

    func randomRequest() -> Request {
        if !history.isEmpty && rng.chance(25) {
            let old = history[rng.int(0...(history.count - 1))]
            if rng.chance(70) { return old }
            return Request(sale: old.sale, sku: old.sku, user: old.user, key: old.key, qty: old.qty &+ 1)
        }
        let info = skus[rng.int(0...(skus.count - 1))]
        var sale = info.sale
        var sku = info.sku
        if rng.chance(2) { sale = "no-such-sale" }
        if rng.chance(2) { sku = "no-such-sku" }
        let qtyChoices = [1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 0, -1, Int.max, Int.min, 50]
        let qty = qtyChoices[rng.int(0...(qtyChoices.count - 1))]
        let key: String? = rng.chance(45) ? nil : "key-\(rng.int(0...40))"
        return Request(sale: sale, sku: sku, user: users[rng.int(0...(users.count - 1))], key: key, qty: qty)
    }

    func purchase(worker w: Int) throws {
        let request = randomRequest()
        if request.key != nil { history.append(request) }
        let decision: PurchaseDecision
        if rng.chance(30) {
            var sale = request.sale
            var sku = request.sku
            var user = request.user
            var key = request.key
            decision = sale.withUTF8 { saleBytes in
                sku.withUTF8 { skuBytes in
                    user.withUTF8 { userBytes in
                        if key == nil {
                            return shards[w].purchase(
                                saleUTF8: UnsafeRawBufferPointer(saleBytes), skuUTF8: UnsafeRawBufferPointer(skuBytes),
                                userUTF8: UnsafeRawBufferPointer(userBytes), qty: request.qty, idempotencyKeyUTF8: nil,
                                now: now)
                        }
                        return key!.withUTF8 { keyBytes in
                            shards[w].purchase(
                                saleUTF8: UnsafeRawBufferPointer(saleBytes), skuUTF8: UnsafeRawBufferPointer(skuBytes),
                                userUTF8: UnsafeRawBufferPointer(userBytes), qty: request.qty,
                                idempotencyKeyUTF8: UnsafeRawBufferPointer(keyBytes), now: now)
                        }
                    }
                }
            }
        } else {
            decision = shards[w].purchase(
                sale: request.sale, sku: request.sku, user: request.user, qty: request.qty,
                idempotencyKey: request.key, now: now)
        }
        log.append("w\(w) purchase \(request) -> \(decision.kind)")
        try judge(decision, worker: w, request: request, ticket: nil)
    }

    /// Checks one decision against the model and applies it.
    func judge(_ decision: PurchaseDecision, worker w: Int, request: Request, ticket: ParkTicket?) throws {
        seen[decision.kind, default: 0] += 1
        func expect(_ kind: String) throws {
            if decision.kind != kind { throw fail("w\(w) \(request): expected \(kind), got \(decision)") }
        }
        guard let config = configs[request.sale] else { return try expect("saleNotFound") }
        guard let info = skus.first(where: { $0.sale == request.sale && $0.sku == request.sku }) else {
            return try expect("skuNotFound")
        }
        if request.qty < 1 { return try expect("invalidQuantity") }
        let fingerprint = RequestFingerprint.of(sku: request.sku, qty: request.qty)
        if let key = request.key, let record = idem[IdemKey(sale: info.handle.saleSlot, user: request.user, key: key)] {
            if record.fingerprint != fingerprint { return try expect("idempotencyKeyReused") }
            if decision != .duplicate(record.order) { throw fail("w\(w) \(request): expected duplicate(\(record.order)), got \(decision)") }
            return
        }
        if now < config.startsAtMillis { return try expect("saleNotStarted") }
        if now >= config.endsAtMillis { return try expect("saleEnded") }
        if request.qty > config.perUserLimit { return try expect("limitExceeded") }
        if request.qty > info.total { return try expect("soldOut") }
        let slice = workers[w].slice[info.handle]!
        if slice < request.qty {
            switch decision {
            case .soldOut:
                let pool = workers[w].pool[info.handle]!
                let elsewhere = workers[w].elsewhere[info.handle, default: 0]
                if pool + elsewhere >= request.qty - slice {
                    throw fail("w\(w) \(request): sold out with slice \(slice) while the pool may hold \(pool) and other workers \(elsewhere)")
                }
            case .parked(let newTicket):
                if let ticket, ticket != newTicket { throw fail("ticket changed") }
                if ticket == nil {
                    if workers[w].parked.count >= configuration.parkCapacity { throw fail("parked beyond capacity") }
                    workers[w].parked[newTicket] = Parked(request: request, at: now)
                }
            case .overloaded:
                if ticket != nil || workers[w].parked.count < configuration.parkCapacity {
                    throw fail("w\(w) \(request): overloaded with room to park")
                }
            default:
                throw fail("w\(w) \(request): slice \(slice) < qty, got \(decision)")
            }
            return
        }
        if workers[w].pending.count >= configuration.pendingOrderCapacity { return try expect("overloaded") }
        let holdKey = HoldKey(sku: info.handle, user: request.user)
        if holds[holdKey, default: 0] + request.qty > config.perUserLimit { return try expect("limitExceeded") }
        guard case .reserved(let order) = decision else {
            throw fail("w\(w) \(request): expected reserved (slice \(slice)), got \(decision)")
        }
        if order.qty != request.qty || order.sku != info.handle || order.createdAtMillis != now
            || order.expiresAtMillis != now + config.reservationTTLMillis
        {
            throw fail("w\(w) \(request): wrong reservation \(order)")
        }
        if let last = workers[w].lastID, order.id <= last { throw fail("order ids not increasing: \(last) then \(order.id)") }
        if order.id.worker != UInt16(w) || order.id.instance != configuration.instance { throw fail("id components \(order.id)") }
        workers[w].lastID = order.id
        workers[w].slice[info.handle]! -= request.qty
        holds[holdKey, default: 0] += request.qty
        workers[w].pending[order.id] = ModelOrder(
            handle: info.handle, user: request.user, qty: request.qty, key: request.key, fingerprint: fingerprint,
            expires: order.expiresAtMillis)
        if let key = request.key {
            idem[IdemKey(sale: info.handle.saleSlot, user: request.user, key: key)] = (fingerprint, order)
        }
    }

    /// Collects parked resolutions; `forced` means the operation answers them `overloaded`.
    func takeResolutions(worker w: Int, forced: ((Parked) -> Bool)?) throws {
        var answers: [(ParkTicket, PurchaseDecision)] = []
        shards[w].drainParkedResolutions { answers.append(($0, $1)) }
        for (ticket, decision) in answers {
            guard let parked = workers[w].parked.removeValue(forKey: ticket) else {
                throw fail("resolution for unknown ticket \(ticket)")
            }
            log.append("w\(w) resolved \(ticket.value) \(parked.request) -> \(decision.kind)")
            if case .parked = decision { throw fail("a resolution cannot be parked") }
            if let forced {
                if decision != .overloaded || !forced(parked) { throw fail("unexpected forced resolution \(decision)") }
            } else {
                try judge(decision, worker: w, request: parked.request, ticket: ticket)
            }
        }
    }

    func drainLeases(worker w: Int) {
        var requests: [LeaseRequest] = []
        shards[w].drainLeaseRequests { requests.append($0) }
        for request in requests {
            if rng.chance(15) {
                shards[w].leaseFailed(request.sku, now: now)
                log.append("w\(w) lease failed \(request.skuName)")
                // Parked purchases of that SKU are answered overloaded.
                try? takeResolutions(worker: w) { $0.request.sku == request.skuName && $0.request.sale == request.saleName }
            } else {
                let answer = redis.lease(worker: w, sku: request.sku, units: request.units)
                leasesInFlight.append((w, request.sku, answer.granted, answer.poolAfter, answer.elsewhere))
                log.append("w\(w) lease \(request.skuName) want \(request.units) got \(answer.granted) pool \(answer.poolAfter) elsewhere \(answer.elsewhere)")
            }
        }
    }

    func deliverLease() throws {
        guard !leasesInFlight.isEmpty else { return }
        let lease = leasesInFlight.remove(at: rng.int(0...(leasesInFlight.count - 1)))
        shards[lease.worker].leaseGranted(
            lease.sku, granted: lease.granted, poolRemaining: lease.poolAfter, leasedElsewhere: lease.elsewhere, now: now)
        log.append("w\(lease.worker) granted \(lease.granted) pool \(lease.poolAfter) elsewhere \(lease.elsewhere)")
        workers[lease.worker].slice[lease.sku]! += lease.granted
        workers[lease.worker].pool[lease.sku] = lease.poolAfter
        workers[lease.worker].elsewhere[lease.sku] = lease.elsewhere
        try takeResolutions(worker: lease.worker, forced: nil)
    }

    func drainOrders(worker w: Int) {
        var batch: [PendingOrder] = []
        let count = shards[w].drainPendingOrders(maxCount: rng.int(1...4), into: &batch)
        for order in batch { flushesInFlight.append((w, order)) }
        log.append("w\(w) drained \(count)")
    }

    func flushOne() throws {
        guard !flushesInFlight.isEmpty else { return }
        let (w, order) = flushesInFlight.remove(at: rng.int(0...(flushesInFlight.count - 1)))
        guard let model = workers[w].pending[order.id] else { throw fail("drained unknown order \(order.id)") }
        if model.user != order.user || model.qty != order.qty || model.key != order.idempotencyKey
            || model.fingerprint != RequestFingerprint.of(sku: order.skuName, qty: order.qty) || model.expires != order.expiresAtMillis
            || model.handle != order.sku
        {
            throw fail("drained order differs from the decision: \(order)")
        }
        let info = skus.first { $0.handle == order.sku }!
        if order.saleName != info.sale || order.skuName != info.sku { throw fail("names of \(order)") }
        var inject: FlushOutcome?
        if rng.chance(8) { inject = .rejected(.other) } else if rng.chance(5) { inject = .retry }
        let outcome = redis.flush(worker: w, order: order, inject: inject)
        let answer = shards[w].orderFlushed(order.id, outcome: outcome, now: now)
        log.append("w\(w) flushed \(order.id) \(order.user) \(order.qty) -> \(outcome), \(answer.map(\.kind) ?? "nil")")
        let holdKey = HoldKey(sku: order.sku, user: order.user)
        let idemKey = order.idempotencyKey.map { IdemKey(sale: order.sku.saleSlot, user: order.user, key: $0) }
        func dropRecord() {
            if let idemKey, idem[idemKey]?.order.id == order.id { idem[idemKey] = nil }
        }
        switch outcome {
        case .confirmed:
            if answer != .reserved(order.reservation) { throw fail("confirmed answer \(String(describing: answer))") }
            workers[w].pending[order.id] = nil
        case .retry:
            if answer != nil { throw fail("retry answer") }
        case .rejected(let reason):
            workers[w].pending[order.id] = nil
            let held = holds[holdKey, default: 0] - order.qty
            var expected = PurchaseDecision.overloaded
            switch reason {
            case .limit(let unitsHeld):
                holds[holdKey] = max(held, unitsHeld ?? 0)
                expected = .limitExceeded
                dropRecord()
            case .idempotency(let existing, let sameBody):
                holds[holdKey] = held
                if sameBody, let existing {
                    idem[idemKey!] = (RequestFingerprint.of(sku: order.skuName, qty: order.qty), existing)
                    expected = .duplicate(existing)
                } else {
                    dropRecord()
                    expected = sameBody ? .overloaded : .idempotencyKeyReused
                }
            case .lease, .other:
                holds[holdKey] = held
                dropRecord()
            }
            if holds[holdKey]! <= 0 { holds[holdKey] = nil }
            if reason != .lease { workers[w].slice[order.sku]! += order.qty }
            if answer != expected { throw fail("rejection \(reason) answered \(String(describing: answer))") }
            try takeResolutions(worker: w, forced: nil)
        }
        if case .retry = outcome {} else if holds[holdKey, default: 0] < 0 { throw fail("negative hold") }
    }

    func releaseOne() throws {
        let state = redis.snapshot()
        let reserved = state.orders.filter { $0.value.status == .reserved && $0.value.worker >= 0 }.map(\.key).sorted()
        guard !reserved.isEmpty else { return }
        let id = reserved[rng.int(0...(reserved.count - 1))]
        guard let order = redis.release(id, expired: rng.chance(50)) else { return }
        core.ledger.release(order.qty, sku: order.sku, user: order.user)
        let key = HoldKey(sku: order.sku, user: order.user)
        let held = holds[key, default: 0]
        holds[key] = held - min(order.qty, held)
        if holds[key]! <= 0 { holds[key] = nil }
        log.append("released \(id) \(order.user) \(order.qty)")
        if rng.chance(50) {
            let w = rng.int(0...(shards.count - 1))
            let pool = redis.snapshot().skus[order.sku]!.pool
            shards[w].notePoolRemaining(pool, of: order.sku, now: now)
            workers[w].pool[order.sku] = pool
        }
    }

    func payOne() {
        let state = redis.snapshot()
        let reserved = state.orders.filter { $0.value.status == .reserved }.map(\.key).sorted()
        guard !reserved.isEmpty else { return }
        redis.pay(reserved[rng.int(0...(reserved.count - 1))])
    }

    func returnSlices(worker w: Int) {
        let idle: Int64? = rng.chance(20) ? nil : Int64(rng.int(0...300))
        var returns: [LeaseReturn] = []
        shards[w].returnSlices(now: now, idleForMillis: idle) { returns.append($0) }
        for item in returns {
            redis.returnLease(worker: w, sku: item.sku, units: item.units)
            workers[w].slice[item.sku]! -= item.units
            workers[w].pool[item.sku]! += item.units
            log.append("w\(w) returned \(item.units) of \(item.skuName)")
        }
    }

    /// The tail: poll for parked purchases (queues leases only), then hand back the tail
    /// slices the core picks. The model mirrors the returns; the choice is checked by the
    /// example tests and the burst runs.
    func tail(worker w: Int) {
        shards[w].pollTail(now: now)
        var returns: [LeaseReturn] = []
        shards[w].returnTailSlices(now: now) { returns.append($0) }
        for item in returns {
            redis.returnLease(worker: w, sku: item.sku, units: item.units)
            workers[w].slice[item.sku]! -= item.units
            workers[w].pool[item.sku]! += item.units
            log.append("w\(w) tail-returned \(item.units) of \(item.skuName)")
        }
    }

    func expireParked(worker w: Int) throws {
        shards[w].expireParked(now: now)
        let timeout = configuration.parkTimeoutMillis
        try takeResolutions(worker: w) { self.now - $0.at >= timeout }
        if workers[w].parked.values.contains(where: { now - $0.at >= timeout }) { throw fail("parked purchase not expired") }
    }

    func foreign() {
        let info = skus[rng.int(0...(skus.count - 1))]
        let user = users[rng.int(0...(users.count - 1))]
        if rng.chance(50) {
            redis.foreignPurchase(sku: info.handle, user: user)
            log.append("foreign purchase \(info.sku) \(user)")
        } else {
            let qty = rng.int(1...2)
            let key = "key-\(rng.int(0...40))"
            redis.foreignKey(
                sku: info.handle, user: user, key: key, fingerprint: RequestFingerprint.of(sku: info.sku, qty: qty))
            log.append("foreign key \(info.sku) \(user) \(key) qty \(qty)")
        }
    }

    func reclaim(worker w: Int) throws {
        guard allowReclaim else { return }
        let info = skus[rng.int(0...(skus.count - 1))]
        _ = redis.reclaim(worker: w, sku: info.handle)
        reclaimed = true
        let pool = redis.snapshot().skus[info.handle]!.pool
        shards[w].setSlice(0, of: info.handle, poolRemaining: pool, now: now)
        workers[w].slice[info.handle] = 0
        workers[w].pool[info.handle] = pool
        log.append("w\(w) reclaimed \(info.sku)")
        try takeResolutions(worker: w, forced: nil)
    }

    // MARK: invariants

    func checkConsistency() throws {
        let problems = redis.problems()
        if !problems.isEmpty { throw fail("redis invariants: \(problems)") }
        let state = redis.snapshot()
        for w in shards.indices {
            if shards[w].pendingOrderCount != workers[w].pending.count {
                throw fail("w\(w) pending \(shards[w].pendingOrderCount) != model \(workers[w].pending.count)")
            }
            if shards[w].parkedCount != workers[w].parked.count {
                throw fail("w\(w) parked \(shards[w].parkedCount) != model \(workers[w].parked.count)")
            }
            for info in skus {
                let slice = shards[w].slice(of: info.handle)
                if slice != workers[w].slice[info.handle] {
                    throw fail("w\(w) \(info.sku) slice \(String(describing: slice)) != model \(workers[w].slice[info.handle]!)")
                }
                guard !reclaimed else { continue }
                let pendingUnits = workers[w].pending.values.filter { $0.handle == info.handle }.reduce(0) { $0 + $1.qty }
                let undelivered = leasesInFlight.filter { $0.worker == w && $0.sku == info.handle }.reduce(0) { $0 + $1.granted }
                let leased = state.skus[info.handle]!.leases[w, default: 0]
                if leased != slice! + pendingUnits + undelivered {
                    throw fail("w\(w) \(info.sku) lease \(leased) != slice \(slice!) + pending \(pendingUnits) + undelivered \(undelivered)")
                }
            }
        }
        for info in skus {
            for user in users {
                let held = core.ledger.unitsHeld(sku: info.handle, user: user)
                if held != holds[HoldKey(sku: info.handle, user: user), default: 0] {
                    throw fail("ledger \(info.sku) \(user) holds \(held), model \(holds[HoldKey(sku: info.handle, user: user), default: 0])")
                }
            }
        }
    }
}
