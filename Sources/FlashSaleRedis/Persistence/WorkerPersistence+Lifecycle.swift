import FlashSaleCore
import FlashSaleLoop

extension WorkerPersistence {
    func clientHealthChanged(_ health: RedisHealth) {
        if health == .up {
            becomeReadyIfPossible()
        } else if health == .down {
            dropUnsentOrders()
        }
    }

    /// Ready = Redis up and the node bootstrapped: worker 0 loads the sales from Redis and
    /// reclaims the node's stale leases (a restart with the same node id); the other
    /// workers wait for it before leasing anything.
    func becomeReadyIfPossible() {
        guard !ready, !stopping, !reclaimInFlight, client.health == .up else { return }
        let bootstrap = NodeBootstrap.of(process)
        guard configuration.bootstrapsNode else {
            if bootstrap.isDone { ready = true }
            return
        }
        reclaimInFlight = true
        syncSales { [unowned self] ok in
            guard ok else {
                self.reclaimInFlight = false
                return
            }
            let calls = self.process.sales.saleNames.map {
                FlashSaleScripts.reclaimCall(sale: $0, node: self.configuration.nodeID)
            }
            self.client.runAll(calls) { [unowned self] results in
                self.reclaimInFlight = false
                guard results.allSatisfy({ (try? $0.get()) != nil }) else { return }
                for result in results {
                    if let outcome = try? ReclaimOutcome.parse(result.get()) {
                        self.stats.unitsReclaimed += outcome.returned.values.reduce(0) { $0 + Int($1) }
                    }
                }
                bootstrap.markDone()
                self.ready = !self.stopping
            }
        }
    }

    func housekeeping() {
        let now = EventLoop.wallClockMillis()
        if !ready { becomeReadyIfPossible() }
        if shard.parkedCount > 0 {
            shard.expireParked(now: now)
            deliverParkedResolutions(now: now)
        }
        if !ackWaiters.isEmpty { expireAckWaiters() }
        reconcileLeasesIfNeeded()
        sendLimitChecks()
        if ready, !stopping { returnTailSlices(now: now) }
        if ready, !stopping, loop.nowMillis >= nextIdleReturnAt {
            nextIdleReturnAt = loop.nowMillis + 1000
            returnIdleSlices(now: now)
        }
        if stopping { continueShutdown() }
    }

    /// Slices unused for `idleSliceReturnMillis` (and those of ended sales) go back to the pool.
    private func returnIdleSlices(now: Int64) {
        guard client.canAcceptCommand else { return }
        shard.returnSlices(now: now, idleForMillis: configuration.idleSliceReturnMillis) { ret in
            let call = FlashSaleScripts.leaseReturnCall(
                sale: ret.saleName, sku: ret.skuName, worker: workerID, units: Int64(ret.units))
            // A failed return leaves the units in this worker's lease in Redis; the
            // shutdown return ("all") or a restart's reclaim hands them back.
            client.run(call) { _ in }
        }
    }

    /// Shutdown: every lease this worker holds in Redis goes back to the pools (the whole
    /// lease, "all", so units Redis holds that the slice lost track of go back too).
    func returnAllLeases() {
        let now = EventLoop.wallClockMillis()
        shard.returnSlices(now: now, idleForMillis: nil) { _ in }
        guard client.canAcceptCommand else { return }
        for sale in process.sales.saleNames {
            guard let config = process.sales.config(sale: sale) else { continue }
            for item in config.items {
                let call = FlashSaleScripts.leaseReturnCall(sale: sale, sku: item.sku, worker: workerID, units: nil)
                returnsInFlight += 1
                client.run(call) { [unowned self] result in
                    self.returnsInFlight -= 1
                    if case .success(let reply) = result, case .changed(let change)? = try? LeaseOutcome.parse(reply, script: FlashSaleScripts.leaseReturn) {
                        self.stats.unitsReturned += Int(change.units)
                    }
                    self.continueShutdown()
                }
            }
        }
    }

    // MARK: sale directory sync

    /// Loads every sale listed in `fs:sales` whose revision changed into the process's
    /// sale directory. `completion(true)` when all were read.
    func syncSales(completion: ((Bool) -> Void)?) {
        guard !saleSyncInFlight, client.health == .up else {
            completion?(false)
            return
        }
        saleSyncInFlight = true
        client.send(["SMEMBERS", WorkerPersistence.salesIndexKey]) { [unowned self] result in
            guard case .success(let reply) = result else {
                self.saleSyncInFlight = false
                completion?(false)
                return
            }
            let names = reply.elements.compactMap(\.string).filter(FlashSaleKeys.isValidIdentifier)
            let commands = names.map { ["HGETALL", FlashSaleKeys(sale: $0).saleHash] }
            self.client.sendAll(commands) { [unowned self] results in
                var changed: [(String, [String: String])] = []
                var ok = true
                for (name, result) in zip(names, results) {
                    guard case .success(let value) = result else { ok = false; continue }
                    let fields = WorkerPersistence.hashFields(value)
                    guard !fields.isEmpty else { continue }
                    if fields["revision"] != self.saleRevisions[name] || self.process.sales.config(sale: name) == nil {
                        changed.append((name, fields))
                    }
                }
                self.loadSaleTotals(changed) { [unowned self] loaded in
                    self.saleSyncInFlight = false
                    completion?(ok && loaded)
                }
            }
        }
    }

    /// Reads each SKU's `total` and installs the sales into the core.
    private func loadSaleTotals(_ sales: [(String, [String: String])], completion: @escaping (Bool) -> Void) {
        guard !sales.isEmpty else { return completion(true) }
        var commands: [[String]] = []
        var skusPerSale: [[String]] = []
        for (name, fields) in sales {
            let skus = (fields["skus"] ?? "").split(separator: ",").map(String.init)
            skusPerSale.append(skus)
            let keys = FlashSaleKeys(sale: name)
            for sku in skus { commands.append(["HGET", keys.counts(sku), "total"]) }
        }
        client.sendAll(commands) { [unowned self] results in
            var ok = true
            var index = 0
            for ((name, fields), skus) in zip(sales, skusPerSale) {
                var items: [SaleItem] = []
                for sku in skus {
                    let total = (try? results[index].get())?.int
                    index += 1
                    if let total { items.append(SaleItem(sku: sku, stock: Int(total))) } else { ok = false }
                }
                guard items.count == skus.count, let config = WorkerPersistence.saleConfig(name: name, fields: fields, items: items)
                else { continue }
                if (try? self.process.sales.install(config)) != nil {
                    self.saleRevisions[name] = fields["revision"]
                }
            }
            completion(ok)
        }
    }

    /// `fs:sales`: set of sale ids, so nodes can load the sales at start and follow
    /// changes made through other nodes.
    static let salesIndexKey = "fs:sales"

    static func hashFields(_ value: RedisValue) -> [String: String] {
        let items = value.elements
        var fields: [String: String] = [:]
        var index = 0
        while index + 1 < items.count {
            if let key = items[index].string, let text = items[index + 1].string { fields[key] = text }
            index += 2
        }
        return fields
    }

    /// The core's configuration of a sale from its Redis hash (per_user_limit 0 means
    /// "no limit" in Redis; the core spells that as the largest limit).
    static func saleConfig(name: String, fields: [String: String], items: [SaleItem]) -> SaleConfig? {
        guard let starts = fields["starts_at"].flatMap({ Int64($0) }), let ends = fields["ends_at"].flatMap({ Int64($0) }),
            let limit = fields["per_user_limit"].flatMap({ Int($0) }), let ttl = fields["reservation_ttl_s"].flatMap({ Int64($0) })
        else { return nil }
        return SaleConfig(
            name: name, startsAtMillis: starts, endsAtMillis: ends,
            perUserLimit: limit == 0 ? SaleConfig.maxPerUserLimit : min(limit, SaleConfig.maxPerUserLimit),
            reservationTTLMillis: ttl * 1000, items: items)
    }
}
