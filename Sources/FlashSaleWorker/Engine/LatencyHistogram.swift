/// A fixed-size histogram of durations (microseconds) with ~6 % resolution:
/// 16 sub-buckets per power of two. No allocation after init.
struct LatencyHistogram {
    private var buckets = [UInt32](repeating: 0, count: 40 * 16)
    private(set) var count = 0
    private(set) var max: UInt64 = 0

    mutating func record(_ micros: UInt64) {
        let value = Swift.max(1, micros)
        count += 1
        if value > max { max = value }
        buckets[LatencyHistogram.index(value)] &+= 1
    }

    /// The value at quantile `q` (0...1), as the upper edge of its bucket; 0 if empty.
    func quantile(_ q: Double) -> UInt64 {
        guard count > 0 else { return 0 }
        let rank = Swift.max(1, Int((Double(count) * q).rounded(.up)))
        var seen = 0
        for (index, n) in buckets.enumerated() where n > 0 {
            seen += Int(n)
            if seen >= rank { return Swift.min(max, LatencyHistogram.upperEdge(index)) }
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
