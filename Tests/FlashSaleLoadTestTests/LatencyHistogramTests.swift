import XCTest
@testable import FlashSaleLoadTest

/// HdrHistogram figures against distributions whose percentiles are known exactly.
final class LatencyHistogramTests: XCTestCase {
    /// Asserts `actual` is within HdrHistogram's 3-significant-digit resolution of `expected`.
    private func assertClose(_ actual: UInt64, _ expected: UInt64, _ label: String, file: StaticString = #filePath, line: UInt = #line) {
        let tolerance = max(1, Double(expected) * 0.001)
        XCTAssertLessThanOrEqual(abs(Double(actual) - Double(expected)), tolerance, "\(label): \(actual) vs \(expected)", file: file, line: line)
    }

    func testUniformDistributionPercentiles() {
        var recorder = LatencyRecorder()
        // 1 µs … 100 000 µs, each once: the p-th percentile is p × 1000 µs.
        for micros in UInt64(1)...100_000 { recorder.record(micros: micros) }
        XCTAssertEqual(recorder.count, 100_000)
        assertClose(recorder.micros(atPercentile: 50), 50_000, "p50")
        assertClose(recorder.micros(atPercentile: 90), 90_000, "p90")
        assertClose(recorder.micros(atPercentile: 99), 99_000, "p99")
        assertClose(recorder.micros(atPercentile: 99.9), 99_900, "p99.9")
        let summary = recorder.summary
        XCTAssertEqual(summary.maxMs, 100, accuracy: 0.1)
        XCTAssertEqual(summary.meanMs, 50.0005, accuracy: 0.05)
    }

    func testBimodalDistribution() {
        var recorder = LatencyRecorder()
        // 98 % fast answers at 2 ms, 2 % slow ones at 250 ms: p50 and p90 are fast, p99 slow.
        for index in 0..<10_000 { recorder.record(micros: index % 50 == 0 ? 250_000 : 2_000) }
        assertClose(recorder.micros(atPercentile: 50), 2_000, "p50")
        assertClose(recorder.micros(atPercentile: 97.9), 2_000, "p97.9")
        assertClose(recorder.micros(atPercentile: 99), 250_000, "p99")
        assertClose(UInt64(recorder.summary.maxMs * 1000), 250_000, "max")
    }

    /// A closed-loop client that waits for each answer hides a server stall
    /// (one slow sample); measuring from the schedule (as the driver does)
    /// shows every request that should have been sent during the stall.
    func testCoordinatedOmissionCorrection() {
        var fromSchedule = LatencyRecorder()
        var fromSend = LatencyRecorder()
        let intervalNanos: UInt64 = 1_000_000  // one request per ms for 2 s
        var previousDone: UInt64 = 0
        for index in 0..<2000 {
            let intended = UInt64(index) * intervalNanos
            let sent = max(intended, previousDone)
            let service: UInt64 = index == 500 ? 1_000_000_000 : 100_000  // a 1 s stall at t = 0.5 s
            let done = sent + service
            previousDone = done
            fromSchedule.record(intendedNanos: intended, completedNanos: done)
            fromSend.record(intendedNanos: sent, completedNanos: done)
        }
        // Measured from the send, the stall is one sample out of 2000: p99 stays at 0.1 ms.
        assertClose(fromSend.micros(atPercentile: 99), 100, "uncorrected p99")
        XCTAssertGreaterThanOrEqual(fromSend.summary.maxMs, 999)
        // From the schedule, the ~1165 requests due during the stall and the catch-up
        // (0.1 ms apart while the backlog drains) waited 1000 ms down to 0: p75 ≈ 550 ms, p99 ≈ 980 ms.
        XCTAssertGreaterThan(fromSchedule.micros(atPercentile: 99), 950_000)
        XCTAssertGreaterThan(fromSchedule.micros(atPercentile: 75), 450_000)
        XCTAssertLessThan(fromSchedule.micros(atPercentile: 75), 650_000)
        XCTAssertGreaterThan(fromSchedule.micros(atPercentile: 50), 100_000)
    }

    func testRunStatsSeriesAndOutcomes() {
        let stats = RunStats(bucketNanos: 100_000_000, expectedNanos: 1_000_000_000)
        for index in 0..<10 {
            let now = UInt64(index) * 100_000_000 + 50_000_000
            stats.recordAnswer(kind: .purchase, status: 201, code: .none, intendedNanos: now - 5_000_000, sentNanos: now - 5_000_000, nowNanos: now)
            stats.noteUnitsSold(1, nowNanos: now)
            stats.recordAnswer(kind: .purchase, status: 409, code: .api(.soldOut), intendedNanos: now - 1_000_000, sentNanos: now - 1_000_000, nowNanos: now)
        }
        stats.recordUnknown(kind: .purchase, reason: .timeout, intendedNanos: 0, sentNanos: 0, nowNanos: 990_000_000)
        let summary = stats.summary(durationNanos: 1_000_000_000)
        XCTAssertEqual(summary.completed, 21)
        XCTAssertEqual(summary.series.count, 10)
        XCTAssertEqual(summary.series[3].ok, 1)
        XCTAssertEqual(summary.series[3].rejected, 1)
        XCTAssertEqual(summary.series[9].unknown, 1)
        XCTAssertEqual(summary.unitsSold, 10)
        let purchase = try? XCTUnwrap(summary.kinds.first { $0.kind == "purchase" })
        XCTAssertEqual(purchase?.ok, 10)
        XCTAssertEqual(purchase?.rejected, 10)
        XCTAssertEqual(purchase?.unknown, 1)
        XCTAssertEqual(purchase?.byErrorCode["sold_out"], 10)
        XCTAssertEqual(purchase?.unknownReasons["timeout"], 1)
        XCTAssertEqual(summary.firstSoldOutSeconds ?? 0, 0.05, accuracy: 1e-9)
    }
}
