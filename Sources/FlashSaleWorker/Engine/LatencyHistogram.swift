/// Observations of one group-commit figure (flush round trip in µs, orders
/// per flush): quantiles over a window that ``reset()`` restarts, and a
/// ``BucketHistogram`` with fixed bounds that only ever grows (what
/// `/metrics` exports as a Prometheus histogram). No allocation after init.
struct LatencyHistogram {
    private var window = QuantileWindow()
    /// Cumulative since start: never reset.
    private(set) var lifetime: BucketHistogram

    /// A histogram whose lifetime part counts by `bounds`.
    init(bounds: [UInt64]) {
        lifetime = BucketHistogram(bounds: bounds)
    }

    mutating func record(_ value: UInt64) {
        window.record(value)
        lifetime.record(value)
    }

    /// Observations in the window.
    var count: Int { window.count }
    /// The largest observation in the window.
    var max: UInt64 { window.max }

    /// The value at quantile `q` (0...1) of the window; 0 if empty.
    func quantile(_ q: Double) -> UInt64 { window.quantile(q) }

    /// Starts a new window (the lifetime histogram keeps counting).
    mutating func reset() { window.reset() }
}

/// ~6 % resolution quantiles: 16 sub-buckets per power of two.
private struct QuantileWindow {
    private var buckets = [UInt32](repeating: 0, count: 40 * 16)
    private(set) var count = 0
    private(set) var max: UInt64 = 0

    mutating func record(_ raw: UInt64) {
        let value = Swift.max(1, raw)
        count += 1
        if value > max { max = value }
        buckets[Self.index(value)] &+= 1
    }

    /// The upper edge of the bucket holding quantile `q`.
    func quantile(_ q: Double) -> UInt64 {
        guard count > 0 else { return 0 }
        let rank = Swift.max(1, Int((Double(count) * q).rounded(.up)))
        var seen = 0
        for (index, n) in buckets.enumerated() where n > 0 {
            seen += Int(n)
            if seen >= rank { return Swift.min(max, Self.upperEdge(index)) }
        }
        return max
    }

    mutating func reset() {
        for index in buckets.indices { buckets[index] = 0 }
        count = 0
        max = 0
    }

    private static func index(_ value: UInt64) -> Int {
        let bits = 64 - value.leadingZeroBitCount  // >= 1
        if bits <= 4 { return Int(value) }
        let shift = bits - 5
        let sub = Int((value >> UInt64(shift)) & 15)
        return Swift.min(40 * 16 - 1, (shift + 1) * 16 + sub)
    }

    private static func upperEdge(_ index: Int) -> UInt64 {
        if index < 16 { return UInt64(index) }
        let shift = index / 16 - 1
        let sub = UInt64(index % 16)
        return ((16 + sub + 1) << UInt64(shift)) - 1
    }
}
