/// Where a worker publishes its live stats for dashboards (`fs:node:{id}` in Redis).
public protocol NodeStatsStore: AnyObject {
    /// Replaces `worker`'s stats with `fields`, kept for `ttlSeconds` unless refreshed.
    func publishStats(worker: String, fields: [(String, String)], ttlSeconds: Int)
}

/// Everything one worker engine needs from its store.
public typealias WorkerStore = StoreConnection & StockStore & OrderStore & SaleStore & OrderAdminStore & NodeStatsStore
    & AuditStore & LeaseLivenessStore & ReplicationStore
