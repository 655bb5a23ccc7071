import FlashSaleCore
import FlashSaleLoop

/// The order queue to the store: once per loop turn, everything the core decided leaves
/// as one flush call per sale (a bounded number in flight), and each order's outcome goes
/// back to the core and to whoever waits for it.
final class GroupCommit {
    private unowned let engine: WorkerEngine
    private var scratch: [PendingOrder] = []
    private(set) var batchesInFlight = 0
    /// Orders whose flush failed with an unknown outcome (they may be in the store).
    private var uncertainOrders: Set<OrderID> = []
    private var flushLatency = LatencyHistogram(bounds: BucketHistogram.flushMicrosBounds)
    private var batchSizes = LatencyHistogram(bounds: BucketHistogram.batchOrdersBounds)
    /// `--ack replicated`: the last `WAIT` came back short; one batch at a time until one
    /// is confirmed again (each `WAIT` holds the connection up to its timeout).
    private var replicasShort = false

    init(engine: WorkerEngine) {
        self.engine = engine
        scratch.reserveCapacity(engine.configuration.maxBatchSize)
    }

    private var shard: WorkerShard { engine.shard }

    /// Flush latency and batch sizes since start (or the last ``resetSummary()``).
    var summary: GroupCommitSummary {
        GroupCommitSummary(
            flushP50Micros: flushLatency.quantile(0.5), flushP99Micros: flushLatency.quantile(0.99),
            flushMaxMicros: flushLatency.max, batchP50: batchSizes.quantile(0.5), batchP99: batchSizes.quantile(0.99),
            batchMax: batchSizes.max, flushes: flushLatency.count,
            flushDurations: flushLatency.lifetime, batchSizes: batchSizes.lifetime)
    }

    func resetSummary() {
        flushLatency.reset()
        batchSizes.reset()
    }

    /// Sends the queued orders, at most `maxBatchesInFlight` calls at a time.
    func flushQueued() {
        let configuration = engine.configuration
        let maxInFlight = replicasShort ? 1
            : configuration.ackMode == .replicated ? min(configuration.maxReplicatedBatchesInFlight, configuration.maxBatchesInFlight)
            : configuration.maxBatchesInFlight
        while batchesInFlight < maxInFlight, shard.queuedOrderCount > 0, engine.store.canAcceptCommand {
            scratch.removeAll(keepingCapacity: true)
            let drained = shard.drainPendingOrders(maxCount: configuration.maxBatchSize, into: &scratch)
            guard drained > 0 else { break }
            // One call per sale (a call touches one sale's keys). A batch of several sales
            // is rare: split it keeping each sale's orders in decision order.
            let sale = scratch[0].saleName
            if scratch.allSatisfy({ $0.saleName == sale }) {
                send(scratch[...])
            } else {
                var sales: [String] = []
                for order in scratch where !sales.contains(order.saleName) { sales.append(order.saleName) }
                for name in sales { send(ArraySlice(scratch.filter { $0.saleName == name })) }
            }
        }
        scratch.removeAll(keepingCapacity: true)
    }

    private func send(_ orders: ArraySlice<PendingOrder>) {
        let sale = orders[orders.startIndex].saleName
        // What the reply handler needs, without keeping the (larger) pending orders alive.
        let flushed = orders.map { FlushedOrder(id: $0.id, sku: $0.sku, skuName: $0.skuName, qty: $0.qty) }
        batchesInFlight += 1
        engine.stats.flushes += 1
        engine.stats.maxBatch = max(engine.stats.maxBatch, orders.count)
        batchSizes.record(UInt64(orders.count))
        let sentAt = EventLoop.monotonicNanos()
        guard engine.configuration.ackMode == .replicated else {
            engine.store.flush(sale: sale, worker: engine.workerID, orders: orders) { [unowned self] result in
                self.batchesInFlight -= 1
                self.flushLatency.record((EventLoop.monotonicNanos() - sentAt) / 1000)
                self.flushAnswered(sale: sale, orders: flushed, result)
            }
            return
        }
        // `--ack replicated`: `WAIT` right behind the flush on the same connection, one per
        // batch; the batch is answered when both replies are in. A `WAIT` answered before the
        // flush's final reply vouches for nothing: the flush ran after it (a NOSCRIPT
        // fallback, a redirect or a retry resent it), so the batch counts as not confirmed.
        let pair = ReplicatedFlush()
        let finish = { [unowned self] in
            guard let flushResult = pair.flush, let waitResult = pair.wait else { return }
            self.batchesInFlight -= 1
            self.flushLatency.record((EventLoop.monotonicNanos() - sentAt) / 1000)
            let confirmed = !pair.waitAnsweredFirst
                && ((try? waitResult.get()).map { $0 >= self.engine.configuration.ackReplicas } ?? false)
            if confirmed { self.engine.stats.replicaWaitsConfirmed += 1 } else { self.engine.stats.replicaWaitsShort += 1 }
            self.replicasShort = !confirmed
            self.flushAnswered(sale: sale, orders: flushed, flushResult, replicated: confirmed)
        }
        engine.store.flush(sale: sale, worker: engine.workerID, orders: orders) { result in
            pair.flush = result
            finish()
        }
        engine.store.waitForReplicas(
            sale: sale, replicas: engine.configuration.ackReplicas,
            timeoutMillis: engine.configuration.replicaWaitTimeoutMillis
        ) { result in
            pair.wait = result
            pair.waitAnsweredFirst = pair.flush == nil
            finish()
        }
    }

    /// `replicated` false: `--ack replicated` and the replicas did not confirm the batch;
    /// its orders stand in the core (Redis has them) but their buyers get `overloaded`.
    private func flushAnswered(
        sale: String, orders: [FlushedOrder], _ result: Result<FlushReply, StoreError>, replicated: Bool = true
    ) {
        let now = EventLoop.wallClockMillis()
        switch result {
        case .success(let reply) where reply.saleFound && reply.results.count == orders.count:
            var leaseRefused = false
            for (order, orderResult) in zip(orders, reply.results) {
                if case .rejected(.lease) = orderResult { leaseRefused = true }
                settle(order, orderResult, replicated: replicated, now: now)
            }
            if leaseRefused { correctSlices(sale: sale, orders: orders, leasesAfter: reply.leasesAfter, now: now) }
        case .success, .failure(.refused), .failure(.badReply), .failure(.invalid):
            // The store decided (and refused) the batch, or answered nonsense for it.
            settle(orders, as: .rejected(.other), now: now)
        case .failure(let error):
            // Timeout, connection lost, not connected: unknown or not run. The flush is
            // idempotent on order id, so the orders go back to the head of the queue.
            engine.stats.flushFailures += 1
            if !error.surelyNotRun {
                for order in orders { uncertainOrders.insert(order.id) }
            }
            for order in orders.reversed() { _ = shard.orderFlushed(order.id, outcome: .retry, now: now) }
        }
        engine.acks.deliverParkedResolutions()
        if engine.stopping { engine.continueShutdown() }
    }

    /// The store refused orders for lease (e.g. the lease was reclaimed): the core dropped
    /// their units from the slice; the store's lease after the batch says what is really
    /// left. It equals the slice only when nothing else of this worker is unflushed, so
    /// apply it then, and otherwise reconcile once the worker is quiet.
    private func correctSlices(sale: String, orders: [FlushedOrder], leasesAfter: [String: Int64], now: Int64) {
        guard batchesInFlight == 0, shard.pendingOrderCount == 0, engine.leases.leasesInFlight == 0 else {
            return engine.leases.requestReconcile()
        }
        var seen = Set<String>()
        for order in orders where seen.insert(order.skuName).inserted {
            guard let held = leasesAfter[order.skuName] else { continue }
            if shard.slice(of: order.sku) != Int(held) {
                engine.stats.sliceCorrections += 1
                shard.setSlice(Int(held), of: order.sku, poolRemaining: nil, now: now)
            }
        }
    }

    private func settle(_ orders: [FlushedOrder], as outcome: FlushOutcome, now: Int64) {
        for order in orders {
            if !uncertainOrders.isEmpty { uncertainOrders.remove(order.id) }
            engine.stats.ordersRejectedByRedis += 1
            if let decision = shard.orderFlushed(order.id, outcome: outcome, now: now) {
                engine.acks.orderAnswered(order.id, decision)
            }
        }
    }

    private func settle(_ order: FlushedOrder, _ result: FlushOrderResult, replicated: Bool, now: Int64) {
        if !uncertainOrders.isEmpty { uncertainOrders.remove(order.id) }
        let outcome: FlushOutcome
        switch result {
        case .recorded, .alreadyRecorded:
            outcome = .confirmed
            engine.stats.ordersPersisted += 1
        case .duplicate(let existingID, let created, let expires, let sameRequest):
            engine.stats.ordersRejectedByRedis += 1
            if sameRequest, let id = OrderID(text: existingID) {
                // The store has the buyer's first order for this key: answer with it, with
                // the times its record holds (a derived id carries none).
                let existing = ReservedOrder(
                    id: id, sku: order.sku, qty: order.qty, createdAtMillis: created, expiresAtMillis: expires)
                outcome = .rejected(.idempotency(existing: existing, sameBody: true))
            } else {
                outcome = .rejected(.idempotency(existing: nil, sameBody: sameRequest))
            }
        case .rejected(.lease):
            engine.stats.ordersRejectedByRedis += 1
            outcome = .rejected(.lease)
        case .rejected(.limit):
            engine.stats.ordersRejectedByRedis += 1
            outcome = .rejected(.limit(unitsHeld: nil))
        case .rejected(.invalid):
            engine.stats.ordersRejectedByRedis += 1
            outcome = .rejected(.other)
        }
        if let decision = shard.orderFlushed(order.id, outcome: outcome, now: now) {
            engine.acks.orderAnswered(order.id, replicated || decision.order == nil ? decision : .overloaded)
        }
    }

    /// `--ack persisted`, the store just went down: queued orders that never reached it
    /// are rolled back and answered `overloaded` now, instead of being recorded later for
    /// a buyer who by then got a 503. Orders whose flush outcome is unknown (timeout,
    /// connection lost mid-flight) stay queued: only the store can tell whether they exist.
    func dropUnsentOrders() {
        guard engine.configuration.ackMode.waitsForStore, shard.queuedOrderCount > 0 else { return }
        let now = EventLoop.wallClockMillis()
        var queued: [PendingOrder] = []
        shard.drainPendingOrders(maxCount: Int.max, into: &queued)
        var keep: [OrderID] = []
        for order in queued {
            if uncertainOrders.contains(order.id) {
                keep.append(order.id)
            } else if let decision = shard.orderFlushed(order.id, outcome: .rejected(.other), now: now) {
                engine.stats.ordersDroppedUnsent += 1
                engine.acks.orderAnswered(order.id, decision)
            }
        }
        for id in keep.reversed() { _ = shard.orderFlushed(id, outcome: .retry, now: now) }
        engine.acks.deliverParkedResolutions()
    }
}

/// `--ack replicated`: the two replies of one batch (flush, then `WAIT`).
private final class ReplicatedFlush {
    var flush: Result<FlushReply, StoreError>?
    var wait: Result<Int, StoreError>?
    /// The `WAIT` replied before the flush did (so it ran before the flush's effects).
    var waitAnsweredFirst = false
}

/// One order of a flush in flight: what its reply needs.
private struct FlushedOrder {
    let id: OrderID
    let sku: SKUHandle
    let skuName: String
    let qty: Int
}

/// Flush latency and batch sizes seen by one engine.
public struct GroupCommitSummary: Sendable, Equatable {
    /// Flush round trip (send to reply), microseconds.
    public var flushP50Micros: UInt64
    public var flushP99Micros: UInt64
    public var flushMaxMicros: UInt64
    /// Orders per flush call.
    public var batchP50: UInt64
    public var batchP99: UInt64
    public var batchMax: UInt64
    /// Flush calls measured.
    public var flushes: Int
    /// Flush round trips (µs) and orders per flush since start (never reset).
    public var flushDurations: BucketHistogram
    public var batchSizes: BucketHistogram
}
