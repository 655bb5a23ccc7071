import TestSupport
import FlashSaleCore
import Testing

struct OrderIDTests {
    @Test func textIsFixedWidthSortableAndRoundTrips() {
        var rng = SeededRandom(seed: 11)
        var previous: OrderID?
        for _ in 0..<2000 {
            let id = OrderID(high: rng.next(), low: rng.next())
            let text = id.text
            #expect(text.utf8.count == 26)
            #expect(text.allSatisfy { "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains($0) })
            #expect(OrderID(text: text) == id)
            #expect(OrderID(text: text.lowercased()) == id)
            if let previous { #expect((previous < id) == (previous.text < text)) }
            previous = id
        }
        #expect(OrderID(high: 0, low: 0).text == String(repeating: "0", count: 26))
        #expect(OrderID(high: .max, low: .max).text == "7" + String(repeating: "Z", count: 25))
    }

    @Test func parsingRejectsBadText() {
        #expect(OrderID(text: "") == nil)
        #expect(OrderID(text: String(repeating: "0", count: 25)) == nil)
        #expect(OrderID(text: "8" + String(repeating: "0", count: 25)) == nil)  // above 128 bits
        #expect(OrderID(text: "0000000000000000000000000U") == nil)
        #expect(OrderID(text: "0000000000000000000000000!") == nil)
        #expect(OrderID(text: "O0000000000000000000000001") == OrderID(high: 0, low: 1))
        #expect(OrderID(text: "0000000000000000000000000I") == OrderID(high: 0, low: 1))
    }

    @Test func componentsAndTimeOrder() {
        let id = OrderID(millis: 1_700_000_000_123, instance: 0xDEAD_BEEF, worker: 7, sequence: 42)
        #expect(id.millis == 1_700_000_000_123)
        #expect(id.instance == 0xDEAD_BEEF)
        #expect(id.worker == 7)
        #expect(id.sequence == 42)
        let later = OrderID(millis: 1_700_000_000_124, instance: 0, worker: 0, sequence: 0)
        #expect(id < later && id.text < later.text)
    }

    @Test func idsStayUniqueWhenTheClockGoesBack() throws {
        let f = try Fixture(stock: 1000, limit: 1000, starts: 0, ends: 1 << 40)
        var pool = 1000
        var seen = Set<OrderID>()
        var last: OrderID?
        for (index, now) in [5000, 5000, 4000, 4000, 6000, 3000].enumerated() {
            guard case .reserved(let order) = f.buyNow("u\(index)", at: Int64(now), pool: &pool) else {
                Issue.record("not reserved")
                return
            }
            #expect(seen.insert(order.id).inserted)
            if let last { #expect(last < order.id) }
            last = order.id
        }
    }

    @Test func fingerprintIsTheDocumentedFNV() {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Array("sku-1".utf8) + [3, 0, 0, 0, 0, 0, 0, 0] {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        #expect(RequestFingerprint.of(sku: "sku-1", qty: 3) == hash)
        #expect(RequestFingerprint.of(sku: "sku-1", qty: 3) != RequestFingerprint.of(sku: "sku-1", qty: 2))
    }
}
