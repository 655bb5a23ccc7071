/// A fast seeded 64-bit hash of short byte strings (user ids, keys), used for the buyer
/// ledger and the idempotency store so that they hold no Strings and allocate nothing.
///
/// The seed is per process and secret (taken from the runtime's randomly seeded `Hasher`
/// unless a test passes one), so a client cannot aim collisions at another user.
struct ByteHash {
    private var state: UInt64
    private let k1: UInt64
    private let k2: UInt64

    @inline(__always)
    static func fold(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let product = a.multipliedFullWidth(by: b)
        return product.high ^ product.low
    }

    @inline(__always)
    init(seed: UInt64) {
        k1 = seed ^ 0xa076_1d64_78bd_642f
        k2 = Self.fold(seed ^ 0xe703_7ed1_a0b4_28db, 0x8ebc_6af0_9c88_c6e3) | 1
        state = seed
    }

    @inline(__always)
    mutating func combine(_ value: UInt64) {
        // The rotation keeps earlier input even if the fold happens to be 0.
        state = Self.fold(value ^ k1, state ^ k2) ^ ((state << 29) | (state >> 35))
    }

    @inline(__always)
    mutating func combine(bytes: UnsafeRawBufferPointer) {
        let count = bytes.count
        var offset = 0
        while offset &+ 8 <= count {
            combine(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            offset &+= 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while offset < count {
            tail |= UInt64(bytes[offset]) << shift
            shift &+= 8
            offset &+= 1
        }
        combine(tail)
        combine(UInt64(truncatingIfNeeded: count))
    }

    @inline(__always)
    func finalize() -> UInt64 {
        Self.fold(state ^ k2, k1 | 1) ^ state
    }

    /// A per-process random seed without reading a clock or a device: the Swift runtime
    /// seeds `Hasher` randomly at start-up.
    static func processSeed() -> UInt64 {
        var hasher = Hasher()
        hasher.combine(0x5EED as UInt64)
        let low = UInt64(UInt(bitPattern: hasher.finalize()))
        var second = Hasher()
        second.combine(low)
        return low &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(UInt(bitPattern: second.finalize()))
    }
}

/// The idempotency fingerprint of a purchase body: stable across processes and machines
/// (FNV-1a 64 over the SKU's UTF-8 bytes, then over `qty` as 8 little-endian bytes), so that
/// Redis can compare fingerprints written by different nodes.
public enum RequestFingerprint {
    /// The fingerprint of a purchase of `qty` units of the SKU whose name is `sku` (UTF-8).
    @inline(__always)
    public static func of(skuUTF8 sku: UnsafeRawBufferPointer, qty: Int) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in sku {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        var q = UInt64(UInt(bitPattern: qty))
        for _ in 0..<8 {
            hash = (hash ^ (q & 0xff)) &* 0x0000_0100_0000_01b3
            q >>= 8
        }
        return hash
    }

    /// The fingerprint of a purchase of `qty` units of `sku`.
    public static func of(sku: String, qty: Int) -> UInt64 {
        var name = sku
        return name.withUTF8 { of(skuUTF8: UnsafeRawBufferPointer($0), qty: qty) }
    }
}
