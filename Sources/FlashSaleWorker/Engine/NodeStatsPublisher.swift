import FlashSaleCore
import FlashSaleLoop

/// Publishes this worker's live stats to the store every `statsIntervalMillis`
/// (`fs:node:{id}` in Redis, with a TTL), for dashboards.
final class NodeStatsPublisher {
    private unowned let engine: WorkerEngine
    private let timer: LoopTimer

    init(engine: WorkerEngine) {
        self.engine = engine
        timer = LoopTimer(loop: engine.loop)
    }

    func start() {
        let period = engine.configuration.statsIntervalMillis
        timer.start(afterMillis: period, repeatMillis: period) { [unowned self] in self.publish() }
    }

    private func publish() {
        let store = engine.store
        guard store.canAcceptCommand else { return }
        let configuration = engine.configuration
        let summary = engine.groupCommitSummary
        let shard = engine.shard
        let s = engine.stats
        let fields: [(String, String)] = [
            ("node", configuration.nodeID), ("worker", String(configuration.workerIndex)),
            ("ack", configuration.ackMode.rawValue), ("redis", store.health.description),
            ("requests", String(s.requests)), ("reserved", String(s.reserved)), ("duplicates", String(s.duplicates)),
            ("sold_out", String(s.soldOut)), ("limit_exceeded", String(s.limitExceeded)), ("not_live", String(s.notLive)),
            ("not_found", String(s.notFound)), ("idempotency_conflicts", String(s.idempotencyConflicts)),
            ("invalid", String(s.invalid)), ("overloaded", String(s.overloaded)),
            ("orders_persisted", String(s.ordersPersisted)), ("orders_rejected", String(s.ordersRejectedByRedis)),
            ("acked_then_rejected", String(s.ackedThenRejected)),
            ("queue_depth", String(shard.queuedOrderCount)), ("pending_orders", String(shard.pendingOrderCount)),
            ("parked", String(shard.parkedCount)), ("waiting_acks", String(engine.acks.ackWaitingCount)),
            ("batches_in_flight", String(engine.groupCommit.batchesInFlight)), ("redis_in_flight", String(store.inFlight)),
            ("flushes", String(s.flushes)), ("flush_failures", String(s.flushFailures)),
            ("flush_p50_us", String(summary.flushP50Micros)), ("flush_p99_us", String(summary.flushP99Micros)),
            ("batch_p50", String(summary.batchP50)), ("batch_p99", String(summary.batchP99)),
            ("batch_max", String(summary.batchMax)), ("leases_held", String(engine.unitsInSlices)),
            ("lease_calls", String(s.leaseCalls)), ("expired_by_sweep", String(s.expiredBySweep)),
            ("updated_at", String(EventLoop.wallClockMillis())),
        ]
        store.publishStats(worker: engine.workerID, fields: fields, ttlSeconds: configuration.statsTTLSeconds)
    }

    func close() { timer.close() }
}
