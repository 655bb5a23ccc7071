import FlashSaleRedis
import FlashSaleClient
import TestSupport
import XCTest
@testable import FlashSaleLoadTest

/// The oracle against a real redis-server: a consistent sale passes; each
/// invariant broken on purpose (bad data written straight into Redis) fails.
final class OracleTests: XCTestCase {
    private var server: RedisServerProcess!
    private var redis: BlockingRedis!
    private let sale = "s1"
    private var keys: FlashSaleKeys { FlashSaleKeys(sale: sale) }

    override func setUpWithError() throws {
        server = try RedisServerProcess()
        redis = try server.client()
        try writeHealthySale()
    }

    override func tearDown() {
        redis?.close()
        server?.stop()
    }

    /// 10 units of SKU A, one per user, all sold: u0…u7 reserved, u8 and u9 paid.
    private func writeHealthySale() throws {
        try redis.command(["HSET", keys.saleHash, "id", sale, "per_user_limit", "1", "skus", "A", "schema", "2",
                           "starts_at", "0", "ends_at", "9999999999999", "reservation_ttl_s", "600"])
        try redis.command(["SET", keys.pool("A"), "0"])
        try redis.command(["HSET", keys.counts("A"), "total", "10", "reserved", "8", "paid", "2", "cancelled", "0", "expired", "0"])
        for index in 0..<10 {
            try writeOrder(id: "o\(index)", user: "u\(index)", key: "k\(index)", status: index < 8 ? "reserved" : "paid")
            try redis.command(["HSET", keys.buyers("A"), "u\(index)", "1"])
            try redis.command(["HSET", keys.idempotency, FlashSaleKeys.idempotencyField(user: "u\(index)", key: "k\(index)"), "o\(index)"])
        }
    }

    private func writeOrder(id: String, user: String, key: String, status: String, qty: Int = 1) throws {
        try redis.command(["HSET", keys.orders, id, "\(status) A \(user) \(qty) 0 1 2 0 \(key)"])
    }

    private var evidence: DriverEvidence {
        DriverEvidence(
            acked: (0..<10).map { .init(orderID: "o\($0)", user: "u\($0)", key: "k\($0)", sku: "A", qty: 1, lastAckedStatus: $0 < 8 ? "reserved" : "paid") },
            soldOutAnswers: 5, unitsAsked: 15)
    }

    private func verify(_ evidence: DriverEvidence? = nil, settle: Double = 0) throws -> [String: InvariantVerdict] {
        let runner = try BlockingRedisSession(url: server.url, timeoutSeconds: 10)
        defer { runner.close() }
        let verdicts = try Oracle.verify(sale: sale, redis: runner, evidence: evidence ?? self.evidence, settleSeconds: settle)
        XCTAssertEqual(verdicts.map(\.id), ["no_oversell", "conservation", "per_user_limit", "one_order_per_key", "acked_in_redis", "no_undersell"])
        return Dictionary(uniqueKeysWithValues: verdicts.map { ($0.id, $0) })
    }

    private func assertOnlyFailure(_ id: String, _ verdicts: [String: InvariantVerdict], file: StaticString = #filePath, line: UInt = #line) {
        for (name, verdict) in verdicts {
            XCTAssertEqual(verdict.status, name == id ? .fail : .pass, "\(name): \(verdict.detail)", file: file, line: line)
        }
    }

    func testConsistentSalePasses() throws {
        let verdicts = try verify()
        for verdict in verdicts.values { XCTAssertEqual(verdict.status, .pass, "\(verdict.id): \(verdict.detail)") }
        XCTAssertTrue(verdicts["conservation"]!.detail.contains("total 10 = pool 0 + leases 0 + reserved 8 + paid 2"))
    }

    func testOversellIsDetected() throws {
        // An 11th unit held: one more reserved order than the stock allows, counted too.
        try writeOrder(id: "o10", user: "u10", key: "k10", status: "reserved")
        try redis.command(["HINCRBY", keys.counts("A"), "reserved", "1"])
        try redis.command(["HSET", keys.buyers("A"), "u10", "1"])
        try redis.command(["SET", keys.pool("A"), "-1"])  // so the sum still reads 10
        let verdicts = try verify()
        XCTAssertEqual(verdicts["no_oversell"]?.status, .fail)
        XCTAssertTrue(verdicts["no_oversell"]!.detail.contains("orders hold 11"), verdicts["no_oversell"]!.detail)
    }

    func testBrokenConservationIsDetected() throws {
        try redis.command(["SET", keys.pool("A"), "3"])
        let verdicts = try verify()
        assertOnlyFailure("conservation", verdicts)
        XCTAssertTrue(verdicts["conservation"]!.detail.contains("total 10 != pool 3"), verdicts["conservation"]!.detail)
    }

    func testPerUserLimitBreachIsDetected() throws {
        // u9's paid order is cancelled and its unit sold to u0 again: counts balance, u0 holds 2.
        try writeOrder(id: "o9", user: "u9", key: "k9", status: "cancelled")
        try redis.command(["HSET", keys.counts("A"), "paid", "1", "cancelled", "1", "reserved", "9"])
        try redis.command(["HSET", keys.buyers("A"), "u9", "0", "u0", "2"])
        try writeOrder(id: "o10", user: "u0", key: "k10", status: "reserved")
        try redis.command(["HSET", keys.idempotency, FlashSaleKeys.idempotencyField(user: "u0", key: "k10"), "o10"])
        var evidence = self.evidence
        evidence.acked[9].lastAckedStatus = "reserved"
        let verdicts = try verify(evidence)
        assertOnlyFailure("per_user_limit", verdicts)
        XCTAssertTrue(verdicts["per_user_limit"]!.detail.contains("u0@A holds 2"), verdicts["per_user_limit"]!.detail)
    }

    func testTwoOrdersForOneKeyAreDetected() throws {
        // A second order for (u0, k0), already cancelled: units balance, the key names two orders.
        try writeOrder(id: "o10", user: "u0", key: "k0", status: "cancelled")
        try redis.command(["HINCRBY", keys.counts("A"), "cancelled", "1"])
        let verdicts = try verify()
        assertOnlyFailure("one_order_per_key", verdicts)
        XCTAssertTrue(verdicts["one_order_per_key"]!.detail.contains("1:u0:k0") || verdicts["one_order_per_key"]!.detail.contains("2:u0:k0"),
                      verdicts["one_order_per_key"]!.detail)
    }

    func testConflictingAnswersAreDetected() throws {
        var evidence = self.evidence
        evidence.conflictingAnswers = ["u3 k3: o3, o99"]
        let verdicts = try verify(evidence)
        assertOnlyFailure("one_order_per_key", verdicts)
    }

    func testAcknowledgedOrderMissingFromRedisIsDetected() throws {
        var evidence = self.evidence
        evidence.acked.append(.init(orderID: "o-ghost", user: "u42", key: "k42", sku: "A", qty: 1))
        let verdicts = try verify(evidence)
        assertOnlyFailure("acked_in_redis", verdicts)
        XCTAssertTrue(verdicts["acked_in_redis"]!.detail.contains("o-ghost"), verdicts["acked_in_redis"]!.detail)
    }

    func testUndersellIsDetected() throws {
        // Demand exceeded stock (sold_out answers), yet 2 units sit in the pool with no cancel or expiry.
        try forgetTheLastTwoPaidOrders()
        try redis.command(["SET", keys.pool("A"), "2"])
        var evidence = self.evidence
        evidence.acked.removeLast(2)
        let verdicts = try verify(evidence)
        assertOnlyFailure("no_undersell", verdicts)
        XCTAssertTrue(verdicts["no_undersell"]!.detail.contains("2 units unsold"), verdicts["no_undersell"]!.detail)
    }

    func testUnitsStrandedInLeasesAreUndersell() throws {
        try forgetTheLastTwoPaidOrders()
        try redis.command(["HSET", keys.leases("A"), "node-1/0", "2"])
        var evidence = self.evidence
        evidence.acked.removeLast(2)
        let verdicts = try verify(evidence, settle: 0.3)
        assertOnlyFailure("no_undersell", verdicts)
        XCTAssertTrue(verdicts["no_undersell"]!.detail.contains("2 units still leased"), verdicts["no_undersell"]!.detail)
    }

    func testVerifyCommandExitStatus() throws {
        let binary = builtBinary("flashsale-loadtest")
        let healthy = try ChildProcess(executable: binary, arguments: ["verify", "--sale", sale, "--redis", server.url, "--expect-sellout"])
        XCTAssertEqual(healthy.waitForExit(timeoutSeconds: 30), 0, healthy.output())
        XCTAssertTrue(healthy.output().contains("VERDICT      PASS"), healthy.output())
        try redis.command(["SET", keys.pool("A"), "3"])
        let broken = try ChildProcess(executable: binary, arguments: ["verify", "--sale", sale, "--redis", server.url])
        XCTAssertEqual(broken.waitForExit(timeoutSeconds: 30), 1, broken.output())
        XCTAssertTrue(broken.output().contains("FAIL  conservation"), broken.output())
        let missing = try ChildProcess(executable: binary, arguments: ["verify", "--sale", "nope", "--redis", server.url])
        XCTAssertEqual(missing.waitForExit(timeoutSeconds: 30), 2, missing.output())
    }
}

extension OracleTests {
    /// Removes the paid orders o8 and o9 (order, buyer units, idempotency record) and
    /// zeroes the paid count: their 2 units are then accounted for by no order.
    func forgetTheLastTwoPaidOrders() throws {
        for index in 8..<10 {
            try redis.command(["HDEL", keys.orders, "o\(index)"])
            try redis.command(["HDEL", keys.buyers("A"), "u\(index)"])
            try redis.command(["HDEL", keys.idempotency, FlashSaleKeys.idempotencyField(user: "u\(index)", key: "k\(index)")])
        }
        try redis.command(["HSET", keys.counts("A"), "paid", "0"])
    }
}
