/// A Redis Cluster hash slot: `CRC16(hash tag or key) mod 16384` (the Redis Cluster
/// specification). Pure Swift: no C, no allocation.
public struct RedisSlot: Sendable, Hashable, CustomStringConvertible {
    /// How many slots a cluster has.
    public static let count = 16384

    /// The slot number, 0..<16384.
    public let value: Int

    /// Slot 0 (where a standalone server needs no slot).
    public static let zero = RedisSlot(unchecked: 0)

    private init(unchecked value: Int) { self.value = value }

    /// A slot by number; nil outside 0..<16384.
    public init?(_ value: Int) {
        guard (0..<Self.count).contains(value) else { return nil }
        self.value = value
    }

    /// The slot of `key`: of its hash tag (the text between the first `{` and the first
    /// `}` after it, when not empty), else of the whole key.
    public init(key: String) {
        var key = key
        value = key.withUTF8 { Self.slot(of: UnsafeRawBufferPointer($0)) }
    }

    /// The slot of a key given as bytes.
    public init(keyBytes: UnsafeRawBufferPointer) {
        value = Self.slot(of: keyBytes)
    }

    public var description: String { String(value) }

    private static func slot(of key: UnsafeRawBufferPointer) -> Int {
        let tag = hashTag(key)
        return Int(crc16(UnsafeRawBufferPointer(rebasing: key[tag])) & 0x3FFF)
    }

    /// The part of `key` that is hashed: the hash tag's content, or the whole key when
    /// it has no `{`, no `}` after the first `{`, or `{}` (an empty tag).
    public static func hashTag(_ key: UnsafeRawBufferPointer) -> Range<Int> {
        guard let open = key.firstIndex(of: UInt8(ascii: "{")) else { return 0..<key.count }
        var close = open + 1
        while close < key.count, key[close] != UInt8(ascii: "}") { close += 1 }
        guard close < key.count, close > open + 1 else { return 0..<key.count }
        return (open + 1)..<close
    }

    /// CRC-16/XMODEM (polynomial 0x1021, initial value 0, not reflected), the checksum
    /// Redis Cluster hashes keys with. `crc16("123456789") == 0x31C3`.
    public static func crc16(_ bytes: UnsafeRawBufferPointer) -> UInt16 {
        var crc: UInt16 = 0
        for byte in bytes {
            crc = (crc << 8) ^ crc16Table[Int(UInt8(truncatingIfNeeded: crc >> 8) ^ byte)]
        }
        return crc
    }

    /// The CRC of each byte value, shifted in one byte at a time (computed once).
    private static let crc16Table: [UInt16] = (0..<256).map { byte in
        var crc = UInt16(byte) << 8
        for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        return crc
    }
}
