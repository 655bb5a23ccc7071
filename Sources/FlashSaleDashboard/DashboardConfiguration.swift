import FlashSaleHTTP

/// How `flashsale dashboard` runs.
public struct DashboardConfiguration: Sendable {
    /// Redis URLs (`redis://host:port[/db]`); the dashboard reads through the first.
    public var redisURLs: [String]
    /// Listen address and port.
    public var host = "127.0.0.1"
    public var port = 8090
    /// How often Redis is read and the feed pushed.
    public var refreshMillis: UInt64 = 1000
    /// Sales and nodes are rediscovered (`SCAN`) this often.
    public var rescanMillis: UInt64 = 5000
    /// At most this many sales are read each second (the first by id); the rest are counted.
    public var maxSales = 1000
    /// Seconds of history kept per sale (one point per read).
    public var historySeconds = 300
    /// Open Server-Sent-Event streams at most (more get 503).
    public var maxStreams = 64

    /// A configuration for `redisURLs`.
    public init(redisURLs: [String]) {
        self.redisURLs = redisURLs
    }
}
