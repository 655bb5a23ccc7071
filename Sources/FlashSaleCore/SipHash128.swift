/// SipHash-2-4 with its 128-bit output (Aumasson and Bernstein), written for the keyed
/// order ids of ``OrderID/init(salt:user:key:)``: a PRF under a secret key, so ids made
/// from chosen inputs tell nothing about the ids of others. Streams bytes in; allocates
/// nothing.
struct SipHash128 {
    private var v0: UInt64
    private var v1: UInt64
    private var v2: UInt64
    private var v3: UInt64
    /// Bytes not yet absorbed (fewer than 8), little-endian in the low bits.
    private var tail: UInt64 = 0
    private var length: UInt64 = 0

    init(key0: UInt64, key1: UInt64) {
        v0 = key0 ^ 0x736f_6d65_7073_6575
        v1 = key1 ^ 0x646f_7261_6e64_6f6d ^ 0xee
        v2 = key0 ^ 0x6c79_6765_6e65_7261
        v3 = key1 ^ 0x7465_6462_7974_6573
    }

    @inline(__always)
    private static func rotate(_ x: UInt64, _ b: UInt64) -> UInt64 { (x << b) | (x >> (64 - b)) }

    @inline(__always)
    private mutating func round() {
        v0 = v0 &+ v1; v1 = Self.rotate(v1, 13); v1 ^= v0; v0 = Self.rotate(v0, 32)
        v2 = v2 &+ v3; v3 = Self.rotate(v3, 16); v3 ^= v2
        v0 = v0 &+ v3; v3 = Self.rotate(v3, 21); v3 ^= v0
        v2 = v2 &+ v1; v1 = Self.rotate(v1, 17); v1 ^= v2; v2 = Self.rotate(v2, 32)
    }

    @inline(__always)
    private mutating func absorb(_ m: UInt64) {
        v3 ^= m
        round()
        round()
        v0 ^= m
    }

    /// Adds one byte.
    @inline(__always)
    mutating func append(_ byte: UInt8) {
        tail |= UInt64(byte) << ((length & 7) * 8)
        length &+= 1
        if length & 7 == 0 {
            absorb(tail)
            tail = 0
        }
    }

    /// Adds bytes.
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        // Whole words straight from the buffer once the pending word is empty.
        while offset < bytes.count, length & 7 != 0 {
            append(bytes[offset])
            offset += 1
        }
        while offset + 8 <= bytes.count {
            absorb(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
            length &+= 8
            offset += 8
        }
        while offset < bytes.count {
            append(bytes[offset])
            offset += 1
        }
    }

    /// Adds a 64-bit value as 8 little-endian bytes.
    mutating func append(_ value: UInt64) {
        for shift in stride(from: UInt64(0), to: 64, by: 8) { append(UInt8(truncatingIfNeeded: value >> shift)) }
    }

    /// The 128-bit digest: its first 8 output bytes (little-endian) then the last 8.
    func finalize() -> (UInt64, UInt64) {
        var state = self
        state.absorb(state.tail | (state.length << 56))
        state.v2 ^= 0xee
        for _ in 0..<4 { state.round() }
        let first = state.v0 ^ state.v1 ^ state.v2 ^ state.v3
        state.v1 ^= 0xdd
        for _ in 0..<4 { state.round() }
        let second = state.v0 ^ state.v1 ^ state.v2 ^ state.v3
        return (first, second)
    }
}
