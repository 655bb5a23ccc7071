import FlashSaleCore
import FlashSaleLoop

extension WorkerPersistence {
    /// Runs once per loop turn, after the turn's I/O callbacks: everything the core
    /// decided during the turn leaves now (leases, then one flush per sale).
    func afterTurn() {
        guard ready || stopping else { return }
        let now = EventLoop.wallClockMillis()
        sendLeaseRequests(now: now)
        flushQueuedOrders(now: now)
        sendLimitChecks()
        deliverParkedResolutions(now: now)
        armTailPollIfNeeded()
    }

    // MARK: leases

    func sendLeaseRequests(now: Int64) {
        guard shard.hasLeaseRequests else { return }
        leaseScratch.removeAll(keepingCapacity: true)
        shard.drainLeaseRequests { leaseScratch.append($0) }
        for request in leaseScratch {
            guard !stopping, client.canAcceptCommand else {
                shard.leaseFailed(request.sku, now: now)
                continue
            }
            let call = FlashSaleScripts.leaseCall(
                sale: request.saleName, sku: request.skuName, worker: workerID, want: Int64(request.units))
            leasesInFlight += 1
            stats.leaseCalls += 1
            let handle = request.sku
            client.evalScript(call.script, keys: call.keys, args: call.arguments) { [unowned self] result in
                self.leasesInFlight -= 1
                self.leaseAnswered(handle, result)
            }
        }
        leaseScratch.removeAll(keepingCapacity: true)
    }

    private func leaseAnswered(_ handle: SKUHandle, _ result: Result<RedisValue, RedisError>) {
        let now = EventLoop.wallClockMillis()
        switch result.map({ try? LeaseOutcome.parse($0) }) {
        case .success(.changed(let change)?):
            stats.unitsLeased += Int(change.units)
            shard.leaseGranted(
                handle, granted: Int(change.units), poolRemaining: Int(change.poolAfter),
                leasedElsewhere: Int(change.leasedElsewhere), now: now)
        case .success(.unknownSKU?):
            // Redis has no pool for it: nothing to sell.
            shard.leaseGranted(handle, granted: 0, poolRemaining: 0, now: now)
        case .failure(let error) where !error.commandSurelyNotRun:
            // The grant may have happened in Redis without us learning it: reconcile the
            // slice with Redis's lease once this worker has nothing in flight.
            leaseReconcileNeeded = true
            shard.leaseFailed(handle, now: now)
        default:
            shard.leaseFailed(handle, now: now)
        }
        deliverParkedResolutions(now: now)
        if stopping { continueShutdown() }
    }

    // MARK: group commit

    func flushQueuedOrders(now: Int64) {
        while batchesInFlight < configuration.maxBatchesInFlight, shard.queuedOrderCount > 0, client.canAcceptCommand {
            batchScratch.removeAll(keepingCapacity: true)
            let drained = shard.drainPendingOrders(maxCount: configuration.maxBatchSize, into: &batchScratch)
            guard drained > 0 else { break }
            let sale = batchScratch[0].saleName
            if batchScratch.allSatisfy({ $0.saleName == sale }) {
                sendFlush(sale: sale, orders: batchScratch)
            } else {
                var bySale: [String: [PendingOrder]] = [:]
                for order in batchScratch { bySale[order.saleName, default: []].append(order) }
                for (sale, orders) in bySale { sendFlush(sale: sale, orders: orders) }
            }
        }
        batchScratch.removeAll(keepingCapacity: true)
    }

    private func sendFlush(sale: String, orders: [PendingOrder]) {
        var batch: [FlushOrder] = []
        batch.reserveCapacity(orders.count)
        // What the reply handler needs, without keeping the (larger) pending orders alive.
        var flushed: [FlushedOrder] = []
        flushed.reserveCapacity(orders.count)
        for order in orders {
            batch.append(FlushOrder(
                orderID: order.id.text, sku: order.skuName, user: order.user, quantity: Int64(order.qty),
                idempotencyKey: order.idempotencyKey, createdAtMillis: order.createdAtMillis,
                expiresAtMillis: order.expiresAtMillis))
            flushed.append(FlushedOrder(id: order.id, sku: order.sku, qty: order.qty))
        }
        let call = FlashSaleScripts.flushCall(sale: sale, worker: workerID, orders: batch)
        batch.removeAll()
        batchesInFlight += 1
        stats.flushes += 1
        stats.maxBatch = max(stats.maxBatch, orders.count)
        batchSizes.record(UInt64(orders.count))
        let sentAt = EventLoop.monotonicNanos()
        client.run(call) { [unowned self] result in
            self.batchesInFlight -= 1
            self.flushLatency.record((EventLoop.monotonicNanos() - sentAt) / 1000)
            self.flushAnswered(sale: sale, orders: flushed, result)
        }
    }

    private func flushAnswered(sale: String, orders: [FlushedOrder], _ result: Result<RedisValue, RedisError>) {
        let now = EventLoop.wallClockMillis()
        switch result {
        case .success(let reply):
            guard let outcome = try? FlushOutcome.parse(reply), outcome.results.count == orders.count || !outcome.saleFound
            else {
                settle(orders, as: .rejected(.other), now: now)
                break
            }
            guard outcome.saleFound else {
                settle(orders, as: .rejected(.other), now: now)
                break
            }
            for (index, order) in orders.enumerated() {
                settle(order, sale: sale, outcome.results[index], now: now)
            }
        case .failure(.server):
            // A script error: Redis decided (and refused) the batch.
            settle(orders, as: .rejected(.other), now: now)
        case .failure(let error):
            // Timeout, connection lost, not connected: unknown or not run. The flush is
            // idempotent on order id, so the orders go back to the head of the queue.
            stats.flushFailures += 1
            if !error.commandSurelyNotRun {
                for order in orders { uncertainOrders.insert(order.id) }
            }
            for order in orders.reversed() { _ = shard.orderFlushed(order.id, outcome: .retry, now: now) }
        }
        deliverParkedResolutions(now: now)
        if stopping { continueShutdown() }
    }

    private func settle(_ orders: [FlushedOrder], as outcome: FlashSaleCore.FlushOutcome, now: Int64) {
        for order in orders {
            if !uncertainOrders.isEmpty { uncertainOrders.remove(order.id) }
            stats.ordersRejectedByRedis += 1
            if let decision = shard.orderFlushed(order.id, outcome: outcome, now: now) {
                orderAnswered(order.id, decision)
            }
        }
    }

    private func settle(_ order: FlushedOrder, sale: String, _ result: FlushOrderResult, now: Int64) {
        if !uncertainOrders.isEmpty { uncertainOrders.remove(order.id) }
        let outcome: FlashSaleCore.FlushOutcome
        switch result {
        case .recorded, .alreadyRecorded:
            outcome = .confirmed
            if !uncertainOrders.isEmpty { uncertainOrders.remove(order.id) }
            stats.ordersPersisted += 1
        case .duplicate(let existingID, let sameRequest):
            stats.ordersRejectedByRedis += 1
            if sameRequest, let id = OrderID(text: existingID) {
                // Redis has the buyer's first order for this key: answer with it. Its
                // times come from the id (creation ms) and the sale's reservation TTL.
                let ttl = process.sales.config(sale: sale)?.reservationTTLMillis ?? 0
                let existing = ReservedOrder(
                    id: id, sku: order.sku, qty: order.qty, createdAtMillis: id.millis, expiresAtMillis: id.millis + ttl)
                outcome = .rejected(.idempotency(existing: existing, sameBody: true))
            } else {
                outcome = .rejected(.idempotency(existing: nil, sameBody: sameRequest))
            }
        case .rejected(.lease):
            stats.ordersRejectedByRedis += 1
            outcome = .rejected(.lease)
        case .rejected(.limit):
            stats.ordersRejectedByRedis += 1
            outcome = .rejected(.limit(unitsHeld: nil))
        case .rejected(.invalid):
            stats.ordersRejectedByRedis += 1
            outcome = .rejected(.other)
        }
        if let decision = shard.orderFlushed(order.id, outcome: outcome, now: now) {
            orderAnswered(order.id, decision)
        }
    }
}

extension WorkerPersistence {
    /// `--ack persisted`, Redis just went down: queued orders that never reached Redis are
    /// rolled back and answered `overloaded` now, instead of being recorded later for a
    /// buyer who by then got a 503. Orders whose flush outcome is unknown (timeout,
    /// connection lost mid-flight) stay queued: only Redis can tell whether they exist.
    func dropUnsentOrders() {
        guard configuration.ackMode == .persisted, shard.queuedOrderCount > 0 else { return }
        let now = EventLoop.wallClockMillis()
        var queued: [PendingOrder] = []
        shard.drainPendingOrders(maxCount: Int.max, into: &queued)
        var keep: [OrderID] = []
        for order in queued {
            if uncertainOrders.contains(order.id) {
                keep.append(order.id)
            } else if let decision = shard.orderFlushed(order.id, outcome: .rejected(.other), now: now) {
                stats.ordersDroppedUnsent += 1
                orderAnswered(order.id, decision)
            }
        }
        for id in keep.reversed() { _ = shard.orderFlushed(id, outcome: .retry, now: now) }
        deliverParkedResolutions(now: now)
    }
}

extension WorkerPersistence {
    /// After a lease reply was lost, sets each slice to what Redis's lease says. Runs only
    /// when this worker has no order or lease in flight, so Redis's lease then equals the
    /// true slice; units sold while the read is in flight are subtracted at the reply.
    func reconcileLeasesIfNeeded() {
        guard leaseReconcileNeeded, !reconcileInFlight, ready, !stopping, client.canAcceptCommand,
            shard.pendingOrderCount == 0, batchesInFlight == 0, leasesInFlight == 0
        else { return }
        var targets: [(handle: SKUHandle, sliceAtSend: Int)] = []
        var commands: [[String]] = []
        for sale in process.sales.saleNames {
            guard let config = process.sales.config(sale: sale) else { continue }
            for item in config.items {
                guard let handle = shard.skuHandle(sale: sale, sku: item.sku) else { continue }
                targets.append((handle, shard.slice(of: handle) ?? 0))
                commands.append(["HGET", FlashSaleKeys(sale: sale).leases(item.sku), workerID])
            }
        }
        leaseReconcileNeeded = false
        reconcileInFlight = true
        client.sendAll(commands) { [unowned self] results in
            self.reconcileInFlight = false
            let now = EventLoop.wallClockMillis()
            for (target, result) in zip(targets, results) {
                guard case .success(let value) = result else {
                    self.leaseReconcileNeeded = true
                    continue
                }
                let held = Int(value.int ?? 0)
                let soldSince = max(0, target.sliceAtSend - (self.shard.slice(of: target.handle) ?? 0))
                let corrected = max(0, held - soldSince)
                if corrected != self.shard.slice(of: target.handle) {
                    self.stats.sliceCorrections += 1
                    self.shard.setSlice(corrected, of: target.handle, poolRemaining: nil, now: now)
                }
            }
            self.deliverParkedResolutions(now: now)
        }
    }
}

/// One order of a flush in flight: what its reply needs.
struct FlushedOrder {
    let id: OrderID
    let sku: SKUHandle
    let qty: Int
}
