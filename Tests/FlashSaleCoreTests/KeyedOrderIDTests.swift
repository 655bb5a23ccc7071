@testable import FlashSaleCore
import Testing

struct KeyedOrderIDTests {
    /// SipHash-2-4-128 of messages 00 01 … (n-1) under key 00 01 … 0f: the reference
    /// implementation's vectors (vectors_sip128 for n = 0, 1, 8, 15, 63).
    @Test func sipHashMatchesTheReferenceVectors() {
        let vectors: [Int: [UInt8]] = [
            0: [0xa3, 0x81, 0x7f, 0x04, 0xba, 0x25, 0xa8, 0xe6, 0x6d, 0xf6, 0x72, 0x14, 0xc7, 0x55, 0x02, 0x93],
            1: [0xda, 0x87, 0xc1, 0xd8, 0x6b, 0x99, 0xaf, 0x44, 0x34, 0x76, 0x59, 0x11, 0x9b, 0x22, 0xfc, 0x45],
            8: [0x3b, 0x62, 0xa9, 0xba, 0x62, 0x58, 0xf5, 0x61, 0x0f, 0x83, 0xe2, 0x64, 0xf3, 0x14, 0x97, 0xb4],
            15: [0x54, 0x93, 0xe9, 0x99, 0x33, 0xb0, 0xa8, 0x11, 0x7e, 0x08, 0xec, 0x0f, 0x97, 0xcf, 0xc3, 0xd9],
            63: [0x51, 0x50, 0xd1, 0x77, 0x2f, 0x50, 0x83, 0x4a, 0x50, 0x3e, 0x06, 0x9a, 0x97, 0x3f, 0xbd, 0x7c],
        ]
        for (count, expected) in vectors {
            let message = (0..<count).map { UInt8($0) }
            // Whole buffer, then byte by byte, then split unevenly: one digest.
            var whole = SipHash128(key0: 0x0706_0504_0302_0100, key1: 0x0f0e_0d0c_0b0a_0908)
            message.withUnsafeBytes { whole.append($0) }
            var bytewise = SipHash128(key0: 0x0706_0504_0302_0100, key1: 0x0f0e_0d0c_0b0a_0908)
            for byte in message { bytewise.append(byte) }
            var split = SipHash128(key0: 0x0706_0504_0302_0100, key1: 0x0f0e_0d0c_0b0a_0908)
            message.withUnsafeBytes { split.append(UnsafeRawBufferPointer(rebasing: $0.prefix(count / 3))) }
            message.withUnsafeBytes { split.append(UnsafeRawBufferPointer(rebasing: $0.dropFirst(count / 3))) }
            for hash in [whole, bytewise, split] {
                let (first, second) = hash.finalize()
                let bytes = (0..<8).map { UInt8(truncatingIfNeeded: first >> (8 * $0)) }
                    + (0..<8).map { UInt8(truncatingIfNeeded: second >> (8 * $0)) }
                #expect(bytes == expected, "n = \(count)")
            }
        }
    }

    private func id(_ salt: OrderIDSalt, _ user: String, _ key: String) -> OrderID {
        var user = user
        var key = key
        return user.withUTF8 { u in key.withUTF8 { k in OrderID(salt: salt, user: UnsafeRawBufferPointer(u), key: UnsafeRawBufferPointer(k)) } }
    }

    @Test func derivedIDsDependOnSaltUserAndKeyOnly() {
        let salt = OrderIDSalt(high: 0x0123_4567_89ab_cdef, low: 0xfedc_ba98_7654_3210)
        let other = OrderIDSalt(high: 0x0123_4567_89ab_cdef, low: 0xfedc_ba98_7654_3211)
        #expect(id(salt, "alice", "k1") == id(salt, "alice", "k1"))
        #expect(id(salt, "alice", "k1") != id(salt, "alice", "k2"))
        #expect(id(salt, "alice", "k1") != id(salt, "bob", "k1"))
        #expect(id(salt, "alice", "k1") != id(other, "alice", "k1"))
        // The user's length is hashed in: moving bytes between user and key changes the id.
        #expect(id(salt, "ab", "c") != id(salt, "a", "bc"))
        #expect(id(salt, "alice", "k1").text.utf8.count == OrderID.textLength)
    }

    @Test func saltHexRoundTripsAndRejectsBadText() {
        let salt = OrderIDSalt(high: 0x0123_4567_89ab_cdef, low: 0x0000_0000_0000_00ff)
        #expect(salt.hex == "0123456789abcdef00000000000000ff")
        #expect(OrderIDSalt(hex: salt.hex) == salt)
        #expect(OrderIDSalt(hex: salt.hex.uppercased()) == salt)
        #expect(OrderIDSalt(hex: "0123") == nil)
        #expect(OrderIDSalt(hex: String(repeating: "g", count: 32)) == nil)
        var generator = SystemRandomNumberGenerator()
        #expect(OrderIDSalt.random(using: &generator) != OrderIDSalt.random(using: &generator))
    }

    /// Schema 3 in the core: two nodes give a buyer's keyed purchase the
    /// same id; a purchase without a key, or in a sale without a salt, gets a generated id.
    @Test func keyedPurchasesOfASaltedSaleShareTheirIDAcrossNodes() throws {
        let salt = OrderIDSalt(high: 7, low: 9)
        // Two nodes (their own process state, other instance ids) serving one sale.
        var shards: [WorkerShard] = []
        for instance in [1, 2] as [UInt32] {
            let core = ProcessCore(configuration: CoreConfiguration(instance: instance, hashSeed: UInt64(instance)))
            _ = try core.sales.install(SaleConfig(
                name: "sale", startsAtMillis: 1000, endsAtMillis: 2000, perUserLimit: 2, reservationTTLMillis: 100,
                items: [SaleItem(sku: "sku", stock: 10)], orderIDSalt: salt))
            let shard = WorkerShard(process: core, workerIndex: Int(instance))
            shard.leaseGranted(core.sales.skuHandle(sale: "sale", sku: "sku")!, granted: 5, poolRemaining: 0, now: 1500)
            shards.append(shard)
        }
        let (first, second) = (shards[0], shards[1])
        let a = first.purchase(sale: "sale", sku: "sku", user: "alice", qty: 1, idempotencyKey: "k1", now: 1500)
        let b = second.purchase(sale: "sale", sku: "sku", user: "alice", qty: 1, idempotencyKey: "k1", now: 1600)
        guard case .reserved(let one) = a, case .reserved(let two) = b else {
            Issue.record("expected two reservations, got \(a) and \(b)")
            return
        }
        #expect(one.id == id(salt, "alice", "k1"))
        #expect(two.id == one.id, "the store, not the worker, tells these apart: same id")
        // The same worker replays from its ledger; the drained order says its id is derived.
        #expect(first.purchase(sale: "sale", sku: "sku", user: "alice", qty: 1, idempotencyKey: "k1", now: 1700) == .duplicate(one))
        var drained: [PendingOrder] = []
        first.drainPendingOrders(maxCount: 10, into: &drained)
        #expect(drained.map(\.orderIDFromKey) == [true])
        guard case .reserved(let plain) = first.purchase(sale: "sale", sku: "sku", user: "bob", qty: 1, idempotencyKey: nil, now: 1500)
        else { Issue.record("bob's purchase was refused"); return }
        #expect(plain.id.millis == 1500, "an unkeyed order keeps a generated, time-ordered id")
        drained.removeAll()
        first.drainPendingOrders(maxCount: 10, into: &drained)
        #expect(drained.map(\.orderIDFromKey) == [false])
    }
}
