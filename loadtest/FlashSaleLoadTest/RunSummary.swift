/// The figures of one run, as the reports print them (and the JSON report holds).
public struct RunSummary: Sendable, Codable, Equatable {
    /// From the first scheduled request to the last answer.
    public var durationSeconds: Double
    /// Requests written.
    public var sent: Int
    /// Requests answered or given up (timeouts, resets).
    public var completed: Int
    /// `completed / durationSeconds`.
    public var requestsPerSecond: Double
    /// Latency from the intended send time (corrected for coordinated omission).
    public var latency: LatencySummary
    /// Latency from the actual send time (what the server alone took, plus the network).
    public var serviceTime: LatencySummary
    /// Outcomes per request kind.
    public var kinds: [KindSummary]
    /// Units in 201 purchases minus units in acknowledged cancels.
    public var unitsSold: Int
    /// When the first `sold_out` answer arrived (seconds since start).
    public var firstSoldOutSeconds: Double?
    /// When the last 201 purchase answer arrived (seconds since start).
    public var lastPurchaseOKSeconds: Double?
    /// Width of one time-series bucket.
    public var bucketSeconds: Double
    /// Throughput, outcomes and latency over time.
    public var series: [SeriesPoint]
}

/// Outcomes of one request kind.
public struct KindSummary: Sendable, Codable, Equatable {
    /// `purchase`, `pay`, `cancel` or `get`.
    public var kind: String
    /// 2xx answers.
    public var ok: Int
    /// Definite refusals.
    public var rejected: Int
    /// No definite answer.
    public var unknown: Int
    /// Answers by HTTP status.
    public var byStatus: [String: Int]
    /// Answers by API error code.
    public var byErrorCode: [String: Int]
    /// Requests without a definite answer, by reason.
    public var unknownReasons: [String: Int]
}

/// One time-series bucket.
public struct SeriesPoint: Sendable, Codable, Equatable {
    /// Bucket start, seconds since the run started.
    public var tSeconds: Double
    /// Answers per second in this bucket.
    public var requestsPerSecond: Double
    /// 2xx answers.
    public var ok: Int
    /// Refusals.
    public var rejected: Int
    /// No definite answer.
    public var unknown: Int
    /// Median latency of the answers in this bucket.
    public var p50Ms: Double
    /// 99th percentile.
    public var p99Ms: Double
    /// Largest.
    public var maxMs: Double
}
