/// A 128-bit order id. A generated one (``OrderIDGenerator``) is unique across workers,
/// nodes and restarts and sorts by creation time; a derived one
/// (``init(salt:user:key:)``) is the same on every node for one buyer and key.
///
/// Generated layout, most significant first: 48 bits of Unix-epoch milliseconds, 32 bits of instance
/// (the node component passed to `ProcessCore`), 16 bits of worker index, 32 bits of a
/// per-worker sequence that restarts each millisecond. Its text form (`text`, `withUTF8`) is
/// 26 characters of Crockford base32, fixed width, so text order is time order.
public struct OrderID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The high 64 bits (time, then the top half of the instance).
    public let high: UInt64
    /// The low 64 bits (bottom half of the instance, worker, sequence).
    public let low: UInt64

    /// Creates an id from its two halves.
    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Creates an id from its components.
    public init(millis: Int64, instance: UInt32, worker: UInt16, sequence: UInt32) {
        let time = UInt64(UInt(bitPattern: Int(max(0, millis)))) & 0xFFFF_FFFF_FFFF
        high = time << 16 | UInt64(instance >> 16)
        low = UInt64(instance & 0xFFFF) << 48 | UInt64(worker) << 32 | UInt64(sequence)
    }

    /// Unix-epoch milliseconds at which the id was made.
    public var millis: Int64 { Int64(high >> 16) }
    /// The instance (node) component.
    public var instance: UInt32 { UInt32(truncatingIfNeeded: high & 0xFFFF) << 16 | UInt32(truncatingIfNeeded: low >> 48) }
    /// The worker index component.
    public var worker: UInt16 { UInt16(truncatingIfNeeded: low >> 32) }
    /// The per-worker sequence component.
    public var sequence: UInt32 { UInt32(truncatingIfNeeded: low) }

    public static func < (lhs: OrderID, rhs: OrderID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    /// The text form (allocates a String: 26 bytes do not fit a small string).
    public var description: String { text }
}

/// Makes order ids for one worker: strictly increasing, never repeating within a process.
///
/// If the clock passed in goes backwards, or more than 2^32 ids are asked for within one
/// millisecond, the generator keeps using (or advances) its last millisecond, so ids stay
/// unique and increasing. Uniqueness across restarts relies on time moving forward between
/// runs or on a different `instance` per run (see docs/core.md).
struct OrderIDGenerator {
    let instance: UInt32
    let worker: UInt16
    private var lastMillis: Int64 = 0
    private var sequence: UInt32 = 0

    init(instance: UInt32, worker: UInt16) {
        self.instance = instance
        self.worker = worker
    }

    mutating func next(now: Int64) -> OrderID {
        if now > lastMillis {
            lastMillis = now
            sequence = 0
        } else if sequence == UInt32.max {
            lastMillis &+= 1
            sequence = 0
        } else {
            sequence &+= 1
        }
        return OrderID(millis: lastMillis, instance: instance, worker: worker, sequence: sequence)
    }
}

extension OrderID: FastMapKey {
    var mixedBits: UInt64 { ByteHash.fold(high ^ 0x9E37_79B9_7F4A_7C15, low ^ 0xC2B2_AE3D_27D4_EB4F) }
    /// No generated id is all zeros (the first id of a worker has a time or a sequence).
    static var vacant: OrderID { OrderID(high: 0, low: 0) }
}
