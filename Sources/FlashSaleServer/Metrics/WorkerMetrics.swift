import FlashSaleWorker
import Synchronization

/// One worker's counters, gauges and histograms.
///
/// Written only by its worker's loop thread; read by whichever thread renders
/// `/metrics`. Every cell is an `Atomic<UInt64>` used with relaxed ordering:
/// the single writer does load + store (a plain move on x86 and arm64, no
/// locked instruction), and a reader sees each cell's latest value. Counters
/// of all workers are summed at scrape time.
public final class WorkerMetrics: @unchecked Sendable {
    /// The worker's index (the `worker` label of gauges).
    public let worker: Int

    private static let routeCount = MetricRoute.allCases.count
    private static let requestsBase = 0
    private static let outcomesBase = requestsBase + routeCount * MetricStatus.count
    private static let latencyBase = outcomesBase + PurchaseOutcome.allCases.count
    // Per route: one cell per bound, one for +Inf, then sum (µs) and count.
    private static let latencyStride = MetricBuckets.latencyMicros.count + 3
    private static let flushBase = latencyBase + routeCount * latencyStride
    private static let histogramBase = flushBase + FlushStat.allCases.count
    private static let gaugeBase = histogramBase + FlushHistogram.allCases.count * FlushHistogram.stride
    private static let cellCount = gaugeBase + WorkerGauge.allCases.count

    private let cells: UnsafeMutablePointer<Atomic<UInt64>>

    /// Creates zeroed metrics for worker `worker`.
    public init(worker: Int) {
        self.worker = worker
        cells = .allocate(capacity: Self.cellCount)
        for index in 0..<Self.cellCount {
            (cells + index).initialize(to: Atomic(0))
        }
    }

    deinit {
        cells.deinitialize(count: Self.cellCount)
        cells.deallocate()
    }

    // MARK: writing (owner thread only)

    @inline(__always)
    private func add(_ index: Int, _ amount: UInt64 = 1) {
        let cell = cells + index
        cell.pointee.store(cell.pointee.load(ordering: .relaxed) &+ amount, ordering: .relaxed)
    }

    /// Counts one answered request.
    @inline(__always)
    public func countRequest(_ route: MetricRoute, status: Int) {
        add(Self.requestsBase + route.rawValue * MetricStatus.count + MetricStatus.index(status))
    }

    /// Counts one purchase outcome.
    @inline(__always)
    public func countPurchase(_ outcome: PurchaseOutcome) {
        add(Self.outcomesBase + outcome.rawValue)
    }

    /// Records how long one request took, from parsed to answered.
    @inline(__always)
    public func observeLatency(_ route: MetricRoute, nanoseconds: UInt64) {
        let micros = nanoseconds / 1000
        let base = Self.latencyBase + route.rawValue * Self.latencyStride
        var bucket = 0
        let bounds = MetricBuckets.latencyMicros
        while bucket < bounds.count, micros > bounds[bucket] { bucket += 1 }
        add(base + bucket)
        add(base + bounds.count + 1, micros)
        add(base + bounds.count + 2)
    }

    /// Publishes the persistence engine's group-commit counters (cumulative; set, not added).
    public func setFlushStats(_ values: [FlushStat: UInt64]) {
        for (stat, value) in values {
            cells[Self.flushBase + stat.rawValue].store(value, ordering: .relaxed)
        }
    }

    /// Publishes one of the engine's cumulative group-commit histograms (set, not added).
    public func setFlushHistogram(_ which: FlushHistogram, _ histogram: BucketHistogram) {
        precondition(histogram.bounds == which.bounds, "bounds of \(which) differ")
        let base = Self.histogramBase + which.rawValue * FlushHistogram.stride
        for (index, value) in histogram.counts.enumerated() { cells[base + index].store(value, ordering: .relaxed) }
        cells[base + histogram.counts.count].store(histogram.sum, ordering: .relaxed)
        cells[base + histogram.counts.count + 1].store(histogram.count, ordering: .relaxed)
    }

    /// Sets a gauge.
    @inline(__always)
    public func set(_ gauge: WorkerGauge, _ value: Int) {
        cells[Self.gaugeBase + gauge.rawValue].store(UInt64(bitPattern: Int64(value)), ordering: .relaxed)
    }

    // MARK: reading (any thread)

    @inline(__always)
    private func read(_ index: Int) -> UInt64 {
        cells[index].load(ordering: .relaxed)
    }

    /// Requests answered on `route` with `status` (statuses not listed in
    /// the fixed set are counted together).
    public func requests(_ route: MetricRoute, status: Int) -> UInt64 {
        read(Self.requestsBase + route.rawValue * MetricStatus.count + MetricStatus.index(status))
    }

    /// Purchases that ended in `outcome`.
    public func purchases(_ outcome: PurchaseOutcome) -> UInt64 {
        read(Self.outcomesBase + outcome.rawValue)
    }

    /// A gauge's current value.
    public func gauge(_ gauge: WorkerGauge) -> Int64 {
        Int64(bitPattern: read(Self.gaugeBase + gauge.rawValue))
    }

    func requestCell(route: Int, statusIndex: Int) -> UInt64 {
        read(Self.requestsBase + route * MetricStatus.count + statusIndex)
    }

    /// Latency cells of `route`: per-bucket counts (not cumulative), +Inf, sum µs, count.
    func latencyCells(route: Int) -> [UInt64] {
        let base = Self.latencyBase + route * Self.latencyStride
        return (0..<Self.latencyStride).map { read(base + $0) }
    }

    /// Cells of a group-commit histogram: per-bucket counts (not cumulative), +Inf, sum, count.
    func histogramCells(_ which: FlushHistogram) -> [UInt64] {
        let base = Self.histogramBase + which.rawValue * FlushHistogram.stride
        return (0..<(which.bounds.count + 3)).map { read(base + $0) }
    }

    /// A group-commit figure.
    public func flushStat(_ stat: FlushStat) -> UInt64 {
        read(Self.flushBase + stat.rawValue)
    }
}
