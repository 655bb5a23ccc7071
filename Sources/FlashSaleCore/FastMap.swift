/// A key whose bits are already well mixed (a keyed hash or an id), so that a table can use
/// them directly instead of running SipHash through `Hasher` as `Dictionary` does.
protocol FastMapKey: Equatable {
    /// Well-mixed bits of the key.
    var mixedBits: UInt64 { get }
    /// A value no real key takes: marks an empty slot.
    static var vacant: Self { get }
}

extension UInt64: FastMapKey {
    var mixedBits: UInt64 { self }
    static var vacant: UInt64 { 0 }
}

/// An open-addressing hash map with linear probing and backward-shift deletion (no
/// tombstones), for the hot tables: buyer holdings, idempotency records, pending orders.
/// Grows by doubling at 3/4 load and never shrinks, so a table at its working size
/// allocates nothing.
struct FastMap<Key: FastMapKey, Value> {
    private var keys: ContiguousArray<Key>
    private var values: ContiguousArray<Value>
    private var mask: Int
    private let filler: Value
    private(set) var count = 0

    /// `filler` fills empty value slots (never returned).
    init(minimumCapacity: Int = 8, filler: Value) {
        var size = 8
        while size * 3 / 4 < minimumCapacity { size <<= 1 }
        keys = ContiguousArray(repeating: Key.vacant, count: size)
        values = ContiguousArray(repeating: filler, count: size)
        mask = size - 1
        self.filler = filler
    }

    /// Number of slots allocated.
    var slotCount: Int { keys.count }

    @inline(__always)
    private func slot(of key: Key) -> (index: Int, found: Bool) {
        var index = Int(truncatingIfNeeded: key.mixedBits) & mask
        while true {
            let stored = keys[index]
            if stored == key { return (index, true) }
            if stored == Key.vacant { return (index, false) }
            index = (index &+ 1) & mask
        }
    }

    @inline(__always)
    subscript(key: Key) -> Value? {
        let (index, found) = slot(of: key)
        return found ? values[index] : nil
    }

    /// Inserts or replaces.
    @inline(__always)
    mutating func set(_ key: Key, _ value: Value) {
        let (index, found) = slot(of: key)
        if found {
            values[index] = value
            return
        }
        if (count + 1) * 4 > keys.count * 3 {
            grow()
            set(key, value)
            return
        }
        keys[index] = key
        values[index] = value
        count += 1
    }

    /// Removes and returns the value of `key`, if present.
    @inline(__always)
    @discardableResult
    mutating func remove(_ key: Key) -> Value? {
        let (found, present) = slot(of: key)
        guard present else { return nil }
        let removed = values[found]
        var hole = found
        var probe = found
        // Backward shift: move later entries of the probe run into the hole.
        while true {
            probe = (probe &+ 1) & mask
            let candidate = keys[probe]
            if candidate == Key.vacant { break }
            let home = Int(truncatingIfNeeded: candidate.mixedBits) & mask
            let distanceToProbe = (probe &- home) & mask
            let distanceToHole = (hole &- home) & mask
            if distanceToHole <= distanceToProbe {
                keys[hole] = candidate
                values[hole] = values[probe]
                hole = probe
            }
        }
        keys[hole] = Key.vacant
        values[hole] = filler
        count -= 1
        return removed
    }

    private mutating func grow() {
        let oldKeys = keys
        let oldValues = values
        let size = oldKeys.count * 2
        keys = ContiguousArray(repeating: Key.vacant, count: size)
        values = ContiguousArray(repeating: filler, count: size)
        mask = size - 1
        count = 0
        for index in oldKeys.indices where oldKeys[index] != Key.vacant {
            set(oldKeys[index], oldValues[index])
        }
    }
}
