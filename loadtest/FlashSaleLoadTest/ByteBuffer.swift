/// A growable byte buffer with a stable address, reused for every request a
/// connection sends (so a queued write can point into it without a copy).
struct ByteBuffer {
    private(set) var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = max(capacity, 64)
        base = .allocate(byteCount: self.capacity, alignment: 8)
    }

    /// Frees the memory; the buffer must not be used afterwards.
    func free() { base.deallocate() }

    mutating func clear() { count = 0 }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count > 0 else { return }
        reserve(bytes.count)
        (base + count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        count += bytes.count
    }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// Appends `value` in decimal.
    mutating func appendDecimal(_ value: Int) {
        reserve(24)
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch
        var length = 0
        var remaining = value.magnitude
        withUnsafeMutableBytes(of: &digits) { scratch in
            repeat {
                scratch[23 - length] = UInt8(48 + remaining % 10)
                remaining /= 10
                length += 1
            } while remaining > 0
            if value < 0 {
                scratch[23 - length] = 45
                length += 1
            }
            (base + count).copyMemory(from: scratch.baseAddress! + 24 - length, byteCount: length)
        }
        count += length
    }

    private mutating func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        var newCapacity = capacity * 2
        while newCapacity < count + extra { newCapacity *= 2 }
        let grown = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 8)
        grown.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = grown
        capacity = newCapacity
    }
}

/// Many short byte strings (user ids, tokens) in one allocation.
struct PackedStrings: Sendable {
    private var storage: [UInt8] = []
    private var ends: [Int32] = []

    init() {}

    mutating func append(_ text: String) {
        storage.append(contentsOf: text.utf8)
        ends.append(Int32(storage.count))
    }

    var count: Int { ends.count }

    /// Calls `body` with the bytes of element `index`.
    func withBytes<R>(_ index: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let start = index == 0 ? 0 : Int(ends[index - 1])
        let end = Int(ends[index])
        return storage.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
    }

    func string(_ index: Int) -> String {
        withBytes(index) { String(decoding: $0, as: UTF8.self) }
    }
}
