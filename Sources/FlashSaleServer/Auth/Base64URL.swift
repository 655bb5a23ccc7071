/// Base64url (RFC 4648 §5) without padding, as JWTs use it. Hand-written so
/// the token path needs no Foundation.
package enum Base64URL {
    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// The value of one base64url character, or nil for anything else
    /// (padding `=`, `+`, `/` and whitespace are all rejected).
    @inline(__always)
    static func sextet(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte &- UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return byte &- UInt8(ascii: "a") &+ 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte &- UInt8(ascii: "0") &+ 52
        case UInt8(ascii: "-"): return 62
        case UInt8(ascii: "_"): return 63
        default: return nil
        }
    }

    /// The number of bytes `count` base64url characters decode to, or nil when
    /// no unpadded encoding has that length.
    static func decodedCount(_ count: Int) -> Int? {
        switch count % 4 {
        case 0: return count / 4 * 3
        case 2: return count / 4 * 3 + 1
        case 3: return count / 4 * 3 + 2
        default: return nil
        }
    }

    /// Sextet of every byte value; 0xFF for a byte outside the alphabet.
    private static let sextets: [UInt8] = (0...255).map { sextet(UInt8($0)) ?? 0xFF }

    /// Decodes `input` into `output` (which must hold `decodedCount(input.count)`
    /// bytes). Returns the number of bytes written, or nil on a bad character or
    /// non-canonical trailing bits.
    static func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int? {
        guard let expected = decodedCount(input.count), output.count >= expected else { return nil }
        guard expected > 0, let source = input.baseAddress, let target = output.baseAddress else { return 0 }
        return sextets.withUnsafeBufferPointer { table -> Int? in
            @inline(__always) func value(_ offset: Int) -> UInt32 {
                UInt32(table[Int(source.load(fromByteOffset: offset, as: UInt8.self))])
            }
            let count = input.count
            var read = 0
            var written = 0
            // Four characters -> three bytes; any 0xFF (a bad character) sets bit 7 of the OR.
            while count - read >= 4 {
                let a = value(read), b = value(read + 1), c = value(read + 2), d = value(read + 3)
                guard (a | b | c | d) & 0x80 == 0 else { return nil }
                let group = a << 18 | b << 12 | c << 6 | d
                target.storeBytes(of: UInt8(truncatingIfNeeded: group >> 16), toByteOffset: written, as: UInt8.self)
                target.storeBytes(of: UInt8(truncatingIfNeeded: group >> 8), toByteOffset: written + 1, as: UInt8.self)
                target.storeBytes(of: UInt8(truncatingIfNeeded: group), toByteOffset: written + 2, as: UInt8.self)
                read += 4
                written += 3
            }
            // The tail: 2 characters -> 1 byte, 3 -> 2 bytes. Leftover bits must be zero:
            // otherwise two encodings would decode alike.
            switch count - read {
            case 2:
                let a = value(read), b = value(read + 1)
                guard (a | b) & 0x80 == 0, b & 0x0F == 0 else { return nil }
                target.storeBytes(of: UInt8(truncatingIfNeeded: a << 2 | b >> 4), toByteOffset: written, as: UInt8.self)
                written += 1
            case 3:
                let a = value(read), b = value(read + 1), c = value(read + 2)
                guard (a | b | c) & 0x80 == 0, c & 0x03 == 0 else { return nil }
                let group = a << 12 | b << 6 | c
                target.storeBytes(of: UInt8(truncatingIfNeeded: group >> 10), toByteOffset: written, as: UInt8.self)
                target.storeBytes(of: UInt8(truncatingIfNeeded: group >> 2), toByteOffset: written + 1, as: UInt8.self)
                written += 2
            default:
                break
            }
            return written
        }
    }

    /// The base64url text of `bytes`, unpadded.
    package static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        append(bytes, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the encoding of `bytes` to `out`: base64url without padding (JWTs), or with
    /// `standard` RFC 4648 §4 base64 (`+`, `/`, `=` padding: Standard Webhooks signatures).
    package static func append<Bytes: Sequence>(_ bytes: Bytes, to out: inout [UInt8], standard: Bool = false)
    where Bytes.Element == UInt8 {
        let table = standard ? standardAlphabet : alphabet
        var accumulator: UInt32 = 0
        var bits = 0
        var written = 0
        for byte in bytes {
            accumulator = (accumulator << 8) | UInt32(byte)
            bits += 8
            while bits >= 6 {
                bits -= 6
                out.append(table[Int((accumulator >> UInt32(bits)) & 0x3F)])
                written += 1
            }
        }
        if bits > 0 {
            out.append(table[Int((accumulator << UInt32(6 - bits)) & 0x3F)])
            written += 1
        }
        if standard {
            while written % 4 != 0 {
                out.append(UInt8(ascii: "="))
                written += 1
            }
        }
    }

    private static let standardAlphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
}
