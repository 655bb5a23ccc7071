import FlashSaleHTTP
import FlashSaleRedis
import FlashSaleWorker

/// Everything `flashsale serve` runs with (see docs/operations.md for the
/// flags, their environment twins and defaults).
public struct EngineConfiguration: Sendable {
    /// Listener, workers, request limits and timeouts.
    public var http: HTTPServerConfiguration
    /// `redis://[user:password@]host[:port][/db]`, or a comma-separated seed list of a
    /// Redis Cluster (`redis://h1:7000,redis://h2:7001`).
    public var redisURL: String
    /// When purchases are answered: after Redis has the order (`persisted`) or at once (`reserved`).
    public var ackMode: AckMode
    /// Auth secrets, rate limits, node id.
    public var api: APISettings
    /// `--ack persisted`: a purchase not acknowledged within this time is answered 503.
    public var ackTimeoutMillis: UInt64
    /// Redis command timeout.
    public var redisTimeoutMillis: UInt64
    /// `--ack replicated`: replicas that must confirm each flush batch. Default 1.
    public var ackReplicas = 1
    /// `--ack replicated`: the `WAIT` timeout. Default 500 ms.
    public var replicaWaitTimeoutMillis = 500
    /// Holders silent longer than this lose their leases (the reaper). Default 10 000 ms.
    public var leaseGraceMillis: Int64 = 10_000
    /// `--ack persisted` / `reserved`: flush calls one worker keeps in flight
    /// (`WorkerEngineConfiguration.maxBatchesInFlight`).
    public var flushesInFlight = WorkerEngineConfiguration.defaultMaxBatchesInFlight

    /// Creates a configuration.
    public init(
        http: HTTPServerConfiguration, redisURL: String, ackMode: AckMode, api: APISettings,
        ackTimeoutMillis: UInt64 = 5000, redisTimeoutMillis: UInt64 = 2000
    ) {
        self.http = http
        self.redisURL = redisURL
        self.ackMode = ackMode
        self.api = api
        self.ackTimeoutMillis = ackTimeoutMillis
        self.redisTimeoutMillis = redisTimeoutMillis
    }
}
