/// An open-addressing table from UTF-8 names to small integers, looked up straight from
/// bytes (no String is made). Built once per directory change; read-only on the hot path.
struct NameTable {
    private var buckets: [Int32] = [-1, -1]
    private var names: [[UInt8]] = []
    private var values: [Int] = []
    private var mask = 1

    init() {}

    init(_ entries: [(name: String, value: Int)]) {
        var size = 2
        while size < entries.count * 2 { size <<= 1 }
        buckets = Array(repeating: -1, count: size)
        mask = size - 1
        for entry in entries {
            let bytes = Array(entry.name.utf8)
            var index = Int(truncatingIfNeeded: bytes.withUnsafeBytes { Self.hash($0) }) & mask
            while buckets[index] >= 0 { index = (index + 1) & mask }
            buckets[index] = Int32(names.count)
            names.append(bytes)
            values.append(entry.value)
        }
    }

    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hasher = ByteHash(seed: 0x6E61_6D65)
        hasher.combine(bytes: bytes)
        return hasher.finalize()
    }

    /// The value stored for `bytes`, or nil.
    @inline(__always)
    func lookup(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var index = Int(truncatingIfNeeded: Self.hash(bytes)) & mask
        while true {
            let entry = Int(buckets[index])
            if entry < 0 { return nil }
            if Self.equal(names[entry], bytes) { return values[entry] }
            index = (index + 1) & mask
        }
    }

    @inline(__always)
    private static func equal(_ stored: [UInt8], _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard stored.count == bytes.count else { return false }
        return stored.withUnsafeBytes { storedBytes in
            let count = bytes.count
            var offset = 0
            while offset &+ 8 <= count {
                if storedBytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
                    != bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self) { return false }
                offset &+= 8
            }
            while offset < count {
                if storedBytes[offset] != bytes[offset] { return false }
                offset &+= 1
            }
            return true
        }
    }
}
