import FlashSaleCore
import FlashSaleLoop

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

extension WorkerPersistence {
    /// Flush latency and batch sizes since start (or the last ``resetGroupCommitSummary()``).
    public var groupCommitSummary: GroupCommitSummary {
        GroupCommitSummary(
            flushP50Micros: flushLatency.quantile(0.5), flushP99Micros: flushLatency.quantile(0.99),
            flushMaxMicros: flushLatency.max, batchP50: batchSizes.quantile(0.5), batchP99: batchSizes.quantile(0.99),
            batchMax: batchSizes.max, flushes: flushLatency.count,
            flushDurations: flushLatency.lifetime, batchSizes: batchSizes.lifetime)
    }

    /// Starts a new measurement window for ``groupCommitSummary``.
    public func resetGroupCommitSummary() {
        flushLatency.reset()
        batchSizes.reset()
    }

    /// Units this worker holds in its slices (leased, not yet sold).
    public var unitsInSlices: Int {
        var total = 0
        for sale in process.sales.saleNames {
            guard let config = process.sales.config(sale: sale) else { continue }
            for item in config.items {
                if let handle = shard.skuHandle(sale: sale, sku: item.sku) { total += shard.slice(of: handle) ?? 0 }
            }
        }
        return total
    }

    /// Writes `fs:node:{workerID}` (HSET + EXPIRE), every `statsIntervalMillis`.
    func publishStats() {
        guard client.canAcceptCommand else { return }
        let summary = groupCommitSummary
        let s = stats
        let fields: [(String, String)] = [
            ("node", configuration.nodeID), ("worker", String(configuration.workerIndex)),
            ("ack", configuration.ackMode.rawValue), ("redis", client.health.description),
            ("requests", String(s.requests)), ("reserved", String(s.reserved)), ("duplicates", String(s.duplicates)),
            ("sold_out", String(s.soldOut)), ("limit_exceeded", String(s.limitExceeded)), ("not_live", String(s.notLive)),
            ("not_found", String(s.notFound)), ("idempotency_conflicts", String(s.idempotencyConflicts)),
            ("invalid", String(s.invalid)), ("overloaded", String(s.overloaded)),
            ("orders_persisted", String(s.ordersPersisted)), ("orders_rejected", String(s.ordersRejectedByRedis)),
            ("acked_then_rejected", String(s.ackedThenRejected)),
            ("queue_depth", String(shard.queuedOrderCount)), ("pending_orders", String(shard.pendingOrderCount)),
            ("parked", String(shard.parkedCount)), ("waiting_acks", String(ackWaiters.count)),
            ("batches_in_flight", String(batchesInFlight)), ("redis_in_flight", String(client.inFlight)),
            ("flushes", String(s.flushes)), ("flush_failures", String(s.flushFailures)),
            ("flush_p50_us", String(summary.flushP50Micros)), ("flush_p99_us", String(summary.flushP99Micros)),
            ("batch_p50", String(summary.batchP50)), ("batch_p99", String(summary.batchP99)),
            ("batch_max", String(summary.batchMax)), ("leases_held", String(unitsInSlices)),
            ("lease_calls", String(s.leaseCalls)), ("expired_by_sweep", String(s.expiredBySweep)),
            ("updated_at", String(EventLoop.wallClockMillis())),
        ]
        let key = FlashSaleKeys.node(workerID)
        client.send(["HSET", key] + fields.flatMap { [$0.0, $0.1] }) { _ in }
        client.send(["EXPIRE", key, String(configuration.statsTTLSeconds)]) { _ in }
    }
}
