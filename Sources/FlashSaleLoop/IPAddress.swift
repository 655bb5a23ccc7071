/// An IPv4 or IPv6 address as 128 bits, IPv4 as the IPv4-mapped IPv6 address
/// `::ffff:a.b.c.d` (RFC 4291 §2.5.5.2), so a dual-stack socket's mapped peer and a plain
/// IPv4 peer are the same address. No port. A value: compare, hash, use its 16
/// ``bytes`` as a key; no allocation but ``description``.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    /// The high 64 bits (network order: the first 8 bytes).
    public var high: UInt64
    /// The low 64 bits.
    public var low: UInt64

    /// `::` (also what an address-less in-memory connection reports).
    public static let unspecified = IPAddress(high: 0, low: 0)

    /// The address from its two halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The IPv4 address `a.b.c.d` given as a 32-bit number (`a` in the top byte).
    public init(ipv4: UInt32) {
        high = 0
        low = 0xFFFF_0000_0000 | UInt64(ipv4)
    }

    /// The address from 4 (IPv4) or 16 (IPv6) bytes in network order; nil for another count.
    public init?(networkBytes bytes: UnsafeRawBufferPointer) {
        switch bytes.count {
        case 4:
            self.init(ipv4: UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3]))
        case 16:
            var high: UInt64 = 0
            var low: UInt64 = 0
            for i in 0..<8 { high = high << 8 | UInt64(bytes[i]) }
            for i in 8..<16 { low = low << 8 | UInt64(bytes[i]) }
            self.init(high: high, low: low)
        default:
            return nil
        }
    }

    /// Whether it is an IPv4 address (IPv4-mapped).
    public var isIPv4: Bool { high == 0 && low >> 32 == 0xFFFF }

    /// The IPv4 address as a 32-bit number (meaningful when ``isIPv4``).
    public var ipv4: UInt32 { UInt32(truncatingIfNeeded: low) }

    /// Calls `body` with the 16 bytes (a fixed-size key, e.g. for a rate-limit table).
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        withUnsafeBytes(of: (high.bigEndian, low.bigEndian)) { body($0) }
    }

    /// "192.0.2.1" for IPv4, the RFC 5952 form for IPv6 ("2001:db8::1").
    public var description: String {
        if isIPv4 {
            let v = ipv4
            return "\(v >> 24).\(v >> 16 & 0xFF).\(v >> 8 & 0xFF).\(v & 0xFF)"
        }
        var groups = [UInt16](repeating: 0, count: 8)
        for i in 0..<4 {
            groups[i] = UInt16(truncatingIfNeeded: high >> (48 - 16 * UInt64(i)))
            groups[4 + i] = UInt16(truncatingIfNeeded: low >> (48 - 16 * UInt64(i)))
        }
        // The longest run (at least two) of zero groups becomes "::", the first one on a tie.
        var bestStart = -1, bestLength = 1, runStart = -1
        for i in 0...8 {
            if i < 8 && groups[i] == 0 {
                if runStart < 0 { runStart = i }
            } else if runStart >= 0 {
                if i - runStart > bestLength { bestStart = runStart; bestLength = i - runStart }
                runStart = -1
            }
        }
        var text = ""
        var i = 0
        while i < 8 {
            if i == bestStart {
                text += "::"
                i += bestLength
                continue
            }
            if !text.isEmpty && !text.hasSuffix(":") { text += ":" }
            text += String(groups[i], radix: 16)
            i += 1
        }
        return text
    }

    /// Parses a numeric address: dotted-quad IPv4 (four decimal parts 0–255, no leading
    /// zeros) or IPv6 text (RFC 4291 §2.2: `::` once, an IPv4 tail allowed; no zone id).
    /// No brackets, no port. Nil for anything else.
    public init?(text bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty, bytes.count <= 45 else { return nil }
        if !bytes.contains(UInt8(ascii: ":")) {
            guard let v4 = Self.parseIPv4(bytes, from: 0, to: bytes.count) else { return nil }
            self.init(ipv4: v4)
            return
        }
        guard let (high, low) = Self.parseIPv6(bytes) else { return nil }
        self.init(high: high, low: low)
    }

    /// Parses a numeric address from a String (see ``init(text:)-(UnsafeRawBufferPointer)``).
    public init?(_ text: String) {
        var copy = text
        guard let parsed = copy.withUTF8({ IPAddress(text: UnsafeRawBufferPointer($0)) }) else { return nil }
        self = parsed
    }

    private static func parseIPv4(_ b: UnsafeRawBufferPointer, from start: Int, to end: Int) -> UInt32? {
        var value: UInt32 = 0
        var parts = 0
        var i = start
        while i <= end {
            var part: UInt32 = 0
            var digits = 0
            let partStart = i
            while i < end, b[i] >= UInt8(ascii: "0"), b[i] <= UInt8(ascii: "9") {
                part = part * 10 + UInt32(b[i] - UInt8(ascii: "0"))
                digits += 1
                i += 1
                guard digits <= 3 else { return nil }
            }
            guard digits > 0, part <= 255, !(digits > 1 && b[partStart] == UInt8(ascii: "0")) else { return nil }
            value = value << 8 | part
            parts += 1
            if i == end { break }
            guard b[i] == UInt8(ascii: "."), parts < 4 else { return nil }
            i += 1
        }
        return parts == 4 ? value : nil
    }

    private static func hexValue(_ byte: UInt8) -> UInt16? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt16(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt16(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt16(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    private static func parseIPv6(_ b: UnsafeRawBufferPointer) -> (UInt64, UInt64)? {
        var groups = (UInt16(0), UInt16(0), UInt16(0), UInt16(0), UInt16(0), UInt16(0), UInt16(0), UInt16(0))
        return withUnsafeMutableBytes(of: &groups) { raw -> (UInt64, UInt64)? in
            let g = raw.bindMemory(to: UInt16.self)
            var count = 0
            var gap = -1  // index in g where "::" stands
            var i = 0
            let end = b.count
            if b[0] == UInt8(ascii: ":") {
                guard end > 1, b[1] == UInt8(ascii: ":") else { return nil }
                gap = 0
                i = 2
            }
            while i < end {
                // An IPv4 tail: the rest holds a dot.
                var j = i
                var hasDot = false
                while j < end, b[j] != UInt8(ascii: ":") {
                    if b[j] == UInt8(ascii: ".") { hasDot = true }
                    j += 1
                }
                if hasDot {
                    guard j == end, count <= 6, let v4 = parseIPv4(b, from: i, to: end) else { return nil }
                    g[count] = UInt16(v4 >> 16)
                    g[count + 1] = UInt16(v4 & 0xFFFF)
                    count += 2
                    i = end
                    break
                }
                guard j > i, j - i <= 4, count < 8 else { return nil }
                var value: UInt16 = 0
                for k in i..<j {
                    guard let h = hexValue(b[k]) else { return nil }
                    value = value << 4 | h
                }
                g[count] = value
                count += 1
                i = j
                if i == end { break }
                // b[i] == ":"
                i += 1
                if i < end, b[i] == UInt8(ascii: ":") {
                    guard gap < 0 else { return nil }
                    gap = count
                    i += 1
                } else if i == end {
                    return nil  // a trailing single ":"
                }
            }
            if gap >= 0 {
                guard count < 8 else { return nil }
                let moved = count - gap
                // Shift the groups after the gap to the end.
                var k = moved - 1
                while k >= 0 {
                    g[8 - moved + k] = g[gap + k]
                    k -= 1
                }
                for z in gap..<(8 - moved) { g[z] = 0 }
            } else {
                guard count == 8 else { return nil }
            }
            var high: UInt64 = 0
            var low: UInt64 = 0
            for k in 0..<4 { high = high << 16 | UInt64(g[k]) }
            for k in 4..<8 { low = low << 16 | UInt64(g[k]) }
            return (high, low)
        }
    }
}
