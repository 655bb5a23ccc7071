import FlashSaleRedis
import Testing

@testable import FlashSaleDashboard

@Suite struct RedisReaderParsingTests {
    @Test func parsesOneSaleTransaction() throws {
        let exec: [RedisValue] = [
            .array([.bulk("id"), .bulk("s1"), .bulk("starts_at"), .bulk("100"), .bulk("ends_at"), .bulk("900"),
                    .bulk("per_user_limit"), .bulk("2"), .bulk("skus"), .bulk("a,b")]),
            .bulk("7"), .array([.bulk("3"), .bulk("5")]),
            .array([.bulk("total"), .bulk("20"), .bulk("reserved"), .bulk("4"), .bulk("paid"), .bulk("1"),
                    .bulk("cancelled"), .bulk("2"), .bulk("rejected_limit"), .bulk("6"), .bulk("rejected_lease"), .bulk("1")]),
            .null, .array([]), .array([.bulk("total"), .bulk("5")]),
            .array([.bulk("n1/0"), .bulk("1500")]),
            .integer(2),
            .array([.array([.bulk("name"), .bulk("fs-relay"), .bulk("consumers"), .integer(1), .bulk("pending"), .integer(3),
                            .bulk("lag"), .integer(12)])]),
        ]
        let reading = try #require(RedisReader.parseSale("s1", skus: ["a", "b"], exec))
        #expect(reading.startsAtMillis == 100 && reading.endsAtMillis == 900 && reading.perUserLimit == 2)
        let a = reading.skus[0]
        #expect(a.total == 20 && a.pool == 7 && a.leased == 8 && a.reserved == 4 && a.paid == 1 && a.cancelled == 2)
        #expect(a.conserved)
        #expect(a.rejections.map(\.reason) == ["lease", "limit"] && a.rejections.map(\.count) == [1, 6])
        let b = reading.skus[1]
        #expect(b.pool == 0 && b.total == 5 && !b.conserved && b.imbalance == 5)
        #expect(reading.holders.map(\.worker) == ["n1/0"] && reading.holders.first?.beatMillis == 1500)
        #expect(reading.relay == RelayReading(lag: 12, pending: 3, deadLetters: 2))
        #expect(reading.state(at: 50) == "scheduled" && reading.state(at: 500) == "live" && reading.state(at: 900) == "ended")
    }

    @Test func relayAbsentUnlessItRuns() throws {
        let exec: [RedisValue] = [.array([.bulk("id"), .bulk("s")]), .bulk("0"), .array([]),
                                  .array([.bulk("total"), .bulk("1"), .bulk("paid"), .bulk("1")]),
                                  .array([]), .integer(0), .error("ERR no such key")]
        let reading = try #require(RedisReader.parseSale("s", skus: ["a"], exec))
        #expect(reading.relay == nil)
        #expect(reading.state(at: 10) == "sold_out")
        // A sale whose hash vanished between the scan and the read is skipped.
        #expect(RedisReader.parseSale("s", skus: ["a"], [.array([])] + exec.dropFirst()) == nil)
    }

    @Test func idsFromKeys() {
        #expect(FlashSaleKeys.sale(ofSaleHashKey: "fs:{spring:2026}:sale") == "spring:2026")
        #expect(FlashSaleKeys.sale(ofSaleHashKey: FlashSaleKeys(sale: "x.1").saleHash) == "x.1")
        #expect(FlashSaleKeys.sale(ofSaleHashKey: "fs:{a}:pool:x") == nil)
        #expect(FlashSaleKeys.nodeID(fromNodeKey: FlashSaleKeys.node("n:8080/1")) == "n:8080/1")
        #expect(FlashSaleKeys.nodeID(fromNodeKey: "fs:node:") == nil)
    }

    @Test func historyRingKeepsTheNewest() {
        var ring = History<Int>(capacity: 3)
        for value in 1...7 { ring.append(value) }
        #expect(ring.elements == [5, 6, 7] && ring.last == 7 && ring.count == 3)
    }
}
