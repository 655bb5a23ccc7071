/// The secret of a schema-3 sale from which the ids of its keyed orders are derived
/// (``OrderID/init(salt:user:key:)``): 128 random bits, made once when the sale is created
/// and kept in the sale's hash (`id_salt`, 32 lower-case hex digits), so every node
/// derives the same id for the same buyer and `Idempotency-Key`.
public struct OrderIDSalt: Sendable, Hashable {
    /// The two 64-bit halves (the SipHash key).
    public let high: UInt64
    public let low: UInt64

    /// A salt from its halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// A fresh salt from `generator` (the caller picks a secure one).
    public static func random(using generator: inout some RandomNumberGenerator) -> OrderIDSalt {
        OrderIDSalt(high: generator.next(), low: generator.next())
    }

    /// Parses 32 hex digits (either case); nil for anything else.
    public init?(hex: String) {
        let digits = Array(hex.utf8)
        guard digits.count == 32 else { return nil }
        var halves: (UInt64, UInt64) = (0, 0)
        for (index, digit) in digits.enumerated() {
            let value: UInt8
            switch digit {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): value = digit - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): value = digit - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): value = digit - UInt8(ascii: "A") + 10
            default: return nil
            }
            if index < 16 { halves.0 = halves.0 << 4 | UInt64(value) } else { halves.1 = halves.1 << 4 | UInt64(value) }
        }
        self.init(high: halves.0, low: halves.1)
    }

    /// 32 lower-case hex digits.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(32)
        for half in [high, low] {
            for shift in stride(from: 60, through: 0, by: -4) { text.append(digits[Int(half >> UInt64(shift) & 15)]) }
        }
        return String(decoding: text, as: UTF8.self)
    }
}

extension OrderID {
    /// The id of the order a buyer makes with an `Idempotency-Key` in a schema-3 sale:
    /// SipHash-2-4-128 under the sale's salt of (length of `user`, `user`, `key`). Every
    /// node derives the same id for the same buyer and key, so the order record is its
    /// own idempotency entry: a retry on any node finds the order by id. Unlike a
    /// generated id it carries no time, node or worker.
    public init(salt: OrderIDSalt, user: UnsafeRawBufferPointer, key: UnsafeRawBufferPointer) {
        var hash = SipHash128(key0: salt.high, key1: salt.low)
        hash.append(UInt64(user.count))
        hash.append(user)
        hash.append(key)
        let (first, second) = hash.finalize()
        self.init(high: first, low: second)
    }
}
