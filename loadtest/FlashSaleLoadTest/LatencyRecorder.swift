import Histogram

/// Latency in microseconds, recorded in an HdrHistogram.
///
/// Open-loop scenarios record `completion - intended start` (the time the
/// request *should* have been sent by the arrival schedule), as wrk2 does:
/// a stalled server then shows up as the queueing delay every scheduled
/// request suffered, instead of one slow sample (coordinated omission).
public struct LatencyRecorder: Sendable {
    /// The highest latency kept exactly (one hour); larger values are clamped.
    public static let highestMicros: UInt64 = 3_600_000_000

    /// The histogram, in microseconds.
    public private(set) var histogram: Histogram<UInt64>

    /// A recorder with `significantDigits` precision (3: 0.1 % error).
    public init(significantDigits: SignificantDigits = .three) {
        histogram = Histogram(lowestDiscernibleValue: 1, highestTrackableValue: LatencyRecorder.highestMicros,
                              numberOfSignificantValueDigits: significantDigits)
    }

    /// Records one latency in microseconds.
    public mutating func record(micros: UInt64) {
        _ = histogram.record(min(max(micros, 1), LatencyRecorder.highestMicros))
    }

    /// Records a request that was due at `intendedNanos` and completed at `completedNanos`.
    public mutating func record(intendedNanos: UInt64, completedNanos: UInt64) {
        let nanos = completedNanos > intendedNanos ? completedNanos - intendedNanos : 0
        record(micros: nanos / 1000)
    }

    /// Adds every sample of `other`.
    public mutating func add(_ other: LatencyRecorder) { histogram.add(other.histogram) }

    /// Number of samples.
    public var count: UInt64 { histogram.totalCount }

    /// The latency at `percentile` (0...100) in microseconds; 0 when empty.
    public func micros(atPercentile percentile: Double) -> UInt64 {
        count == 0 ? 0 : histogram.valueAtPercentile(percentile)
    }

    /// The usual summary in milliseconds.
    public var summary: LatencySummary {
        LatencySummary(
            count: count,
            meanMs: count == 0 ? 0 : histogram.mean / 1000,
            p50Ms: Double(micros(atPercentile: 50)) / 1000,
            p90Ms: Double(micros(atPercentile: 90)) / 1000,
            p99Ms: Double(micros(atPercentile: 99)) / 1000,
            p999Ms: Double(micros(atPercentile: 99.9)) / 1000,
            maxMs: count == 0 ? 0 : Double(histogram.max) / 1000
        )
    }
}

/// Latency percentiles in milliseconds.
public struct LatencySummary: Sendable, Codable, Equatable {
    /// Samples.
    public var count: UInt64
    /// Mean.
    public var meanMs: Double
    /// Median.
    public var p50Ms: Double
    /// 90th percentile.
    public var p90Ms: Double
    /// 99th percentile.
    public var p99Ms: Double
    /// 99.9th percentile.
    public var p999Ms: Double
    /// Largest sample.
    public var maxMs: Double
}
