/// Settings of a ``RedisRouter``: the seeds, the settings of each connection it opens,
/// and the bounds of its redirects and retries.
public struct RedisRouterConfiguration: Sendable {
    /// Where to start: one standalone Redis, or any nodes of a Redis Cluster (the router
    /// asks the first one that answers; the rest are tried in turn when it does not).
    public var seeds: [RedisEndpoint]
    /// Settings of every connection (timeouts, reconnect backoff, in-flight bound, scripts);
    /// its endpoint is replaced by the seed or master each connection goes to.
    public var connection: RedisClientConfiguration
    /// `MOVED` / `ASK` answers followed per command before it fails. Default 5.
    public var maxRedirects = 5
    /// Retries of a command that surely did not run (`TRYAGAIN`, `CLUSTERDOWN`, its master
    /// not connected) before it fails; the delays double from ``retryBaseMillis``. Default 6
    /// (about 1.3 s in all).
    public var maxRetries = 6
    /// First retry delay. Default 20 ms.
    public var retryBaseMillis: UInt64 = 20
    /// Slot map refresh period in Cluster mode (one `CLUSTER SLOTS`), on top of the refresh
    /// after a `MOVED`, a lost connection or a failover. Default 5000 ms.
    public var refreshIntervalMillis: UInt64 = 5000

    /// Settings for `seeds` with `connection`'s timeouts and scripts.
    public init(seeds: [RedisEndpoint], connection: RedisClientConfiguration) {
        self.seeds = seeds.isEmpty ? [connection.endpoint] : seeds
        self.connection = connection
    }

    /// Settings for one `redis://` URL or a comma-separated seed list
    /// (`redis://h1:7000,redis://h2:7001`); throws ``RedisError/invalidURL(_:)`` naming the
    /// bad entry without its credentials.
    public init(urls: String, scripts: [RedisScript] = []) throws(RedisError) {
        let seeds = try RedisEndpoint.seedList(urls)
        self.init(seeds: seeds, connection: RedisClientConfiguration(endpoint: seeds[0], scripts: scripts))
    }

    /// Settings for a tool on one loop (the dashboard, the relay): the URLs given one per
    /// flag value or comma-separated, a command timeout and an in-flight bound. Throws
    /// ``RedisError/invalidURL(_:)`` when there is no URL or a bad one.
    public init(urls: [String], commandTimeoutMillis: UInt64, maxInFlight: Int) throws(RedisError) {
        guard !urls.isEmpty else { throw RedisError.invalidURL("no Redis URL given") }
        try self.init(urls: urls.joined(separator: ","))
        connection.commandTimeoutMillis = commandTimeoutMillis
        connection.maxInFlight = maxInFlight
    }
}

extension RedisEndpoint {
    /// The endpoints of one URL or a comma-separated list of URLs (blanks around commas
    /// allowed). A comma not followed by `redis://` belongs to the URL before it (a
    /// password may hold one).
    public static func seedList(_ urls: String) throws(RedisError) -> [RedisEndpoint] {
        var seeds: [RedisEndpoint] = []
        for url in seedURLs(urls) {
            guard !url.isEmpty else { throw .invalidURL("\(redacted(urls)): empty seed list") }
            seeds.append(try RedisEndpoint(url: url))
        }
        return seeds
    }

    /// The URLs of a seed list, each trimmed of blanks.
    static func seedURLs(_ urls: String) -> [String] {
        var out: [String] = []
        for part in urls.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = part.trimmingBlanks
            if trimmed.hasPrefix("redis://") || out.isEmpty { out.append(trimmed) } else { out[out.count - 1] += "," + part }
        }
        return out
    }

    /// "host:port", the name of a node in `MOVED` answers and in the router's table.
    var nodeName: String { "\(host):\(port)" }
}

extension Substring {
    fileprivate var trimmingBlanks: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}

extension RedisRouterConfiguration {
    /// The seeds as `redis://host:port,…` for logs (passwords shown as `***`).
    public var seedsDescription: String { seeds.map(\.description).joined(separator: ",") }
}
