/// An open-addressing table from UTF-8 names to small integers, looked up straight from
/// bytes (no String is made). Built once per directory change and immutable after: a class
/// with `let` storage, so a lookup neither copies nor retains its arrays.
final class NameTable {
    private struct Entry {
        let offset: Int
        let length: Int
        let value: Int
    }

    private let buckets: ContiguousArray<Int32>
    private let entries: ContiguousArray<Entry>
    private let bytes: ContiguousArray<UInt8>
    private let mask: Int

    convenience init() {
        self.init([])
    }

    init(_ list: [(name: String, value: Int)]) {
        var size = 2
        while size < list.count * 2 { size <<= 1 }
        var buckets = ContiguousArray<Int32>(repeating: -1, count: size)
        var entries = ContiguousArray<Entry>()
        var bytes = ContiguousArray<UInt8>()
        for item in list {
            let name = Array(item.name.utf8)
            var index = Int(truncatingIfNeeded: name.withUnsafeBytes { Self.hash($0) }) & (size - 1)
            while buckets[index] >= 0 { index = (index + 1) & (size - 1) }
            buckets[index] = Int32(entries.count)
            entries.append(Entry(offset: bytes.count, length: name.count, value: item.value))
            bytes.append(contentsOf: name)
        }
        // Padding so that 8-byte loads near the end stay in bounds.
        bytes.append(contentsOf: repeatElement(0, count: 8))
        self.buckets = buckets
        self.entries = entries
        self.bytes = bytes
        mask = size - 1
    }

    /// A short-input hash (wyhash-style: two overlapping word loads, one fold per 16 bytes).
    /// Names are set by the admin, not by buyers, so no secret seed is needed.
    @inline(__always)
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let count = bytes.count
        var a: UInt64 = 0
        var b: UInt64 = 0
        if count >= 8 {
            var state: UInt64 = 0x2D35_8DCC_AA6C_78A5
            var offset = 0
            while count - offset > 16 {
                state = ByteHash.fold(word(bytes, offset) ^ 0xA076_1D64_78BD_642F, word(bytes, offset + 8) ^ state)
                offset += 16
            }
            a = word(bytes, min(offset, count - 8)) ^ state
            b = word(bytes, count - 8)
        } else if count >= 4 {
            a = UInt64(bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
            b = UInt64(bytes.loadUnaligned(fromByteOffset: count - 4, as: UInt32.self))
        } else if count > 0 {
            a = UInt64(bytes[0]) | UInt64(bytes[count >> 1]) << 8 | UInt64(bytes[count - 1]) << 16
        }
        return ByteHash.fold(a ^ 0xE703_7ED1_A0B4_28DB ^ UInt64(count), b ^ 0x8EBC_6AF0_9C88_C6E3)
    }

    @inline(__always)
    private static func word(_ bytes: UnsafeRawBufferPointer, _ offset: Int) -> UInt64 {
        bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)
    }

    /// The value stored for `bytes`, or nil.
    @inline(__always)
    func lookup(_ key: UnsafeRawBufferPointer) -> Int? {
        var index = Int(truncatingIfNeeded: Self.hash(key)) & mask
        return bytes.withUnsafeBytes { stored in
            while true {
                let slot = Int(buckets[index])
                if slot < 0 { return nil }
                let entry = entries[slot]
                if entry.length == key.count && Self.equal(stored, entry.offset, key) { return entry.value }
                index = (index + 1) & mask
            }
        }
    }

    @inline(__always)
    private static func equal(_ stored: UnsafeRawBufferPointer, _ offset: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        let count = key.count
        var position = 0
        while position &+ 8 <= count {
            if stored.loadUnaligned(fromByteOffset: offset &+ position, as: UInt64.self)
                != key.loadUnaligned(fromByteOffset: position, as: UInt64.self) { return false }
            position &+= 8
        }
        while position < count {
            if stored[offset &+ position] != key[position] { return false }
            position &+= 1
        }
        return true
    }
}
