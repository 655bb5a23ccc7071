/// Counters and histograms of one run, updated on the driver's loop thread.
///
/// Everything is preallocated (fixed arrays indexed by kind, status and
/// code; time buckets reserved for the planned duration) so recording an
/// answer allocates nothing.
final class RunStats {
    /// Width of one time-series bucket.
    let bucketNanos: UInt64
    private(set) var latency = LatencyRecorder()
    private(set) var serviceTime = LatencyRecorder()
    private(set) var buckets: [TimeBucket] = []
    /// [kind][status 0..<600]
    private var statusCounts: [[Int]]
    /// [kind][ErrorCode]
    private var errorCounts: [[Int]]
    /// [kind][OutcomeClass]
    private var outcomeCounts: [[Int]]
    /// [kind][UnknownReason]
    private var unknownCounts: [[Int]]
    private(set) var sent = 0
    private(set) var completed = 0
    private(set) var unitsSold = 0
    private(set) var firstSoldOutNanos: UInt64?
    private(set) var lastPurchaseOKNanos: UInt64?
    private var intervalLatency = LatencyRecorder(significantDigits: .two)

    init(bucketNanos: UInt64, expectedNanos: UInt64) {
        self.bucketNanos = max(bucketNanos, 1_000_000)
        let kinds = RequestKind.allCases.count
        statusCounts = Array(repeating: Array(repeating: 0, count: 600), count: kinds)
        errorCounts = Array(repeating: Array(repeating: 0, count: ErrorCode.allCases.count), count: kinds)
        outcomeCounts = Array(repeating: Array(repeating: 0, count: OutcomeClass.allCases.count), count: kinds)
        unknownCounts = Array(repeating: Array(repeating: 0, count: UnknownReason.allCases.count), count: kinds)
        buckets.reserveCapacity(Int(expectedNanos / self.bucketNanos) + 16)
    }

    func noteSent() { sent += 1 }

    /// Units of a new order (positive) or of an acknowledged cancel (negative).
    func noteUnitsSold(_ units: Int, nowNanos: UInt64) {
        unitsSold += units
        if units > 0 { lastPurchaseOKNanos = nowNanos }
    }

    /// Records an answer. Times are nanoseconds since the run started.
    func recordAnswer(kind: RequestKind, status: Int, code: ErrorCode,
                      intendedNanos: UInt64, sentNanos: UInt64, nowNanos: UInt64) {
        let outcome = OutcomeClass.classify(status: status, code: code)
        statusCounts[kind.rawValue][min(max(status, 0), 599)] += 1
        errorCounts[kind.rawValue][code.index] += 1
        outcomeCounts[kind.rawValue][outcome.rawValue] += 1
        if outcome == .unknown { unknownCounts[kind.rawValue][UnknownReason.serverError.rawValue] += 1 }
        if kind == .purchase && code == .api(.soldOut) && firstSoldOutNanos == nil {
            firstSoldOutNanos = nowNanos
        }
        recordLatency(intendedNanos: intendedNanos, sentNanos: sentNanos, nowNanos: nowNanos, outcome: outcome)
    }

    /// Records a request that got no answer.
    func recordUnknown(kind: RequestKind, reason: UnknownReason, intendedNanos: UInt64, sentNanos: UInt64, nowNanos: UInt64) {
        outcomeCounts[kind.rawValue][OutcomeClass.unknown.rawValue] += 1
        unknownCounts[kind.rawValue][reason.rawValue] += 1
        recordLatency(intendedNanos: intendedNanos, sentNanos: sentNanos, nowNanos: nowNanos, outcome: .unknown)
    }

    private func recordLatency(intendedNanos: UInt64, sentNanos: UInt64, nowNanos: UInt64, outcome: OutcomeClass) {
        completed += 1
        latency.record(intendedNanos: intendedNanos, completedNanos: nowNanos)
        serviceTime.record(intendedNanos: sentNanos, completedNanos: nowNanos)
        intervalLatency.record(intendedNanos: intendedNanos, completedNanos: nowNanos)
        let index = Int(nowNanos / bucketNanos)
        while buckets.count <= index { buckets.append(TimeBucket()) }
        buckets[index].record(outcome: outcome, latencyMicros: nowNanos > intendedNanos ? (nowNanos - intendedNanos) / 1000 : 0)
    }

    /// The p99 (ms) since the last call, for the live progress line; resets the interval.
    func takeIntervalP99Millis() -> Double {
        let p99 = Double(intervalLatency.micros(atPercentile: 99)) / 1000
        intervalLatency = LatencyRecorder(significantDigits: .two)
        return p99
    }

    /// The final figures.
    func summary(durationNanos: UInt64) -> RunSummary {
        var kinds: [KindSummary] = []
        for kind in RequestKind.allCases {
            let outcomes = outcomeCounts[kind.rawValue]
            guard outcomes.reduce(0, +) > 0 else { continue }
            var byStatus: [String: Int] = [:]
            for (status, count) in statusCounts[kind.rawValue].enumerated() where count > 0 {
                byStatus[String(status)] = count
            }
            var byCode: [String: Int] = [:]
            for code in ErrorCode.allCases where code != .none {
                let count = errorCounts[kind.rawValue][code.index]
                if count > 0 { byCode[code.text] = count }
            }
            var unknown: [String: Int] = [:]
            for reason in UnknownReason.allCases {
                let count = unknownCounts[kind.rawValue][reason.rawValue]
                if count > 0 { unknown[reason.name] = count }
            }
            kinds.append(KindSummary(
                kind: kind.name, ok: outcomes[OutcomeClass.ok.rawValue],
                rejected: outcomes[OutcomeClass.rejected.rawValue], unknown: outcomes[OutcomeClass.unknown.rawValue],
                byStatus: byStatus, byErrorCode: byCode, unknownReasons: unknown))
        }
        let seconds = Double(durationNanos) / 1e9
        let bucketSeconds = Double(bucketNanos) / 1e9
        let series = buckets.enumerated().map { index, bucket in
            SeriesPoint(
                tSeconds: Double(index) * bucketSeconds,
                requestsPerSecond: Double(bucket.completed) / bucketSeconds,
                ok: bucket.ok, rejected: bucket.rejected, unknown: bucket.unknown,
                p50Ms: Double(bucket.latency.micros(atPercentile: 50)) / 1000,
                p99Ms: Double(bucket.latency.micros(atPercentile: 99)) / 1000,
                maxMs: bucket.latency.count == 0 ? 0 : Double(bucket.latency.histogram.max) / 1000)
        }
        return RunSummary(
            durationSeconds: seconds, sent: sent, completed: completed,
            requestsPerSecond: seconds > 0 ? Double(completed) / seconds : 0,
            latency: latency.summary, serviceTime: serviceTime.summary, kinds: kinds,
            unitsSold: unitsSold,
            firstSoldOutSeconds: firstSoldOutNanos.map { Double($0) / 1e9 },
            lastPurchaseOKSeconds: lastPurchaseOKNanos.map { Double($0) / 1e9 },
            bucketSeconds: bucketSeconds, series: series)
    }
}

/// Answers completed in one time bucket.
struct TimeBucket {
    var completed = 0
    var ok = 0
    var rejected = 0
    var unknown = 0
    var latency = LatencyRecorder(significantDigits: .two)

    mutating func record(outcome: OutcomeClass, latencyMicros: UInt64) {
        completed += 1
        switch outcome {
        case .ok: ok += 1
        case .rejected: rejected += 1
        case .unknown: unknown += 1
        }
        latency.record(micros: latencyMicros)
    }
}
