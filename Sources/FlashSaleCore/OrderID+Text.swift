extension OrderID {
    /// Length of the text form.
    public static let textLength = 26

    private static let alphabet: StaticString = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

    /// Calls `body` with the 26 ASCII bytes of the text form, held on the stack (no allocation).
    @inline(__always)
    public func withUTF8<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var buffer: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        return try withUnsafeMutableBytes(of: &buffer) { raw in
            let digits = Self.alphabet.utf8Start
            // 128 bits = 3 + 25 * 5: the first character carries the top 3 bits.
            var index = Self.textLength - 1
            var hi = high
            var lo = low
            while index >= 0 {
                raw[index] = digits[Int(lo & 31)]
                lo = lo >> 5 | (hi & 31) << 59
                hi >>= 5
                index -= 1
            }
            return try body(UnsafeRawBufferPointer(rebasing: raw[0..<Self.textLength]))
        }
    }

    /// The text form: 26 characters of Crockford base32 (digits and upper-case letters
    /// without I, L, O, U). Allocates a String.
    public var text: String {
        withUTF8 { String(decoding: $0, as: UTF8.self) }
    }

    /// Parses a text form (case-insensitive; `I`/`L` read as 1 and `O` as 0, per Crockford).
    /// Returns nil for a wrong length, a bad character or a value above 128 bits.
    public init?(utf8 bytes: UnsafeRawBufferPointer) {
        guard bytes.count == Self.textLength else { return nil }
        var hi: UInt64 = 0
        var lo: UInt64 = 0
        for (position, byte) in bytes.enumerated() {
            guard let value = Self.digitValue(byte) else { return nil }
            if position == 0 && value > 7 { return nil }
            hi = hi << 5 | lo >> 59
            lo = lo << 5 | UInt64(value)
        }
        self.init(high: hi, low: lo)
    }

    /// Parses a text form; see `init?(utf8:)`.
    public init?(text: String) {
        var copy = text
        guard let id = copy.withUTF8({ OrderID(utf8: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = id
    }

    private static func digitValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0"), UInt8(ascii: "o"), UInt8(ascii: "O"): return 0
        case UInt8(ascii: "1"), UInt8(ascii: "i"), UInt8(ascii: "I"), UInt8(ascii: "l"), UInt8(ascii: "L"): return 1
        case UInt8(ascii: "2")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        default: break
        }
        var upper = byte
        if upper >= UInt8(ascii: "a") && upper <= UInt8(ascii: "z") { upper -= 32 }
        let digits = alphabet.utf8Start
        for value in 10..<32 where digits[value] == upper { return UInt8(value) }
        return nil
    }
}
