import FlashSaleCore
import FlashSaleRedis
import Foundation
import TestSupport
import XCTest
import FlashSaleWorker

extension BlockingRedis {
    /// Runs a script call with `EVAL` (Redis caches the compiled script by its SHA1).
    func runScript(_ call: FlashSaleScriptCall) throws -> RedisValue {
        try command(call.evalCommand).asEngineRedisValue
    }
}

/// A sale of the tests: times relative to `now`, given in ms.
struct ScriptsTestSale {
    static let now: Int64 = 1_700_000_000_000
    let id: String
    let skus: [String: Int64]
    let keys: FlashSaleKeys

    init(id: String = "s1", skus: [String: Int64], perUserLimit: Int64 = 2) {
        self.id = id
        self.skus = skus
        self.keys = FlashSaleKeys(sale: id)
        self.perUserLimit = perUserLimit
    }

    let perUserLimit: Int64

    /// Live since one minute, ends in one hour, TTL 600 s.
    var definition: SaleConfig {
        SaleConfig(
            name: id, startsAtMillis: Self.now - 60_000, endsAtMillis: Self.now + 3_600_000,
            perUserLimit: Int(perUserLimit), reservationTTLMillis: 600_000,
            items: skus.keys.sorted().map { SaleItem(sku: $0, stock: Int(skus[$0]!)) })
    }

    /// Creates the sale in Redis; fails the test unless it was created.
    func create(on redis: BlockingRedis, file: StaticString = #filePath, line: UInt = #line) throws {
        let outcome = try SaleUpsertOutcome.parse(
            redis.runScript(FlashSaleScripts.saleUpsertCall(definition, nowMillis: Self.now)))
        XCTAssertEqual(outcome, .created, file: file, line: line)
    }

    func order(
        _ id: String, sku: String, user: String, qty: Int64 = 1, key: String? = nil,
        created: Int64 = ScriptsTestSale.now, ttl: Int64 = 600_000, derived: Bool = false, keyInRecord: Bool = false
    ) -> FlushOrder {
        FlushOrder(
            orderID: id, sku: sku, user: user, quantity: qty, idempotencyKey: key,
            createdAtMillis: created, expiresAtMillis: created + ttl, orderIDFromKey: derived, keyInRecord: keyInRecord)
    }
}

/// The counters of one SKU, all read in one MULTI.
struct ScriptsSKUSnapshot: Equatable {
    var total: Int64
    var pool: Int64
    var leases: [String: Int64]
    var counts: [String: Int64]
    var buyers: [String: Int64]
    var leased: Int64 { leases.values.reduce(0, +) }
    var reserved: Int64 { counts["reserved"] ?? 0 }
    var paid: Int64 { counts["paid"] ?? 0 }
}

/// Reads every SKU of the sale in ONE `MULTI … EXEC` and checks the invariants of
/// DESIGN.md against the order hashes (checked after each scenario, while quiescent).
@discardableResult
func scriptsCheckInvariants(
    _ redis: BlockingRedis, sale: ScriptsTestSale, file: StaticString = #filePath, line: UInt = #line
) throws -> [String: ScriptsSKUSnapshot] {
    let skus = sale.skus.keys.sorted()
    var commands: [[String]] = [["MULTI"]]
    for sku in skus {
        commands.append(["GET", sale.keys.pool(sku)])
        commands.append(["HGETALL", sale.keys.leases(sku)])
        commands.append(["HGETALL", sale.keys.counts(sku)])
        commands.append(["HGETALL", sale.keys.buyers(sku)])
    }
    commands.append(["EXEC"])
    let replies = try redis.pipeline(commands)
    let exec = replies.last!.elements
    XCTAssertEqual(exec.count, 4 * skus.count, "EXEC reply", file: file, line: line)
    func ints(_ reply: RESP) -> [String: Int64] { reply.hash.compactMapValues { Int64($0) } }

    var snapshots: [String: ScriptsSKUSnapshot] = [:]
    for (index, sku) in skus.enumerated() {
        let counts = ints(exec[4 * index + 2])
        let snapshot = ScriptsSKUSnapshot(
            total: counts["total"] ?? -1, pool: exec[4 * index].int ?? -1, leases: ints(exec[4 * index + 1]),
            counts: counts, buyers: ints(exec[4 * index + 3]))
        snapshots[sku] = snapshot
        XCTAssertEqual(
            snapshot.total, snapshot.pool + snapshot.leased + snapshot.reserved + snapshot.paid,
            "\(sku): total = pool + Σ leases + reserved + paid (\(snapshot))", file: file, line: line)
        XCTAssertTrue(snapshot.pool >= 0 && snapshot.reserved >= 0 && snapshot.paid >= 0, "\(sku) negative: \(snapshot)", file: file, line: line)
        XCTAssertTrue(snapshot.leases.values.allSatisfy { $0 > 0 }, "\(sku) lease <= 0: \(snapshot.leases)", file: file, line: line)
        XCTAssertEqual(
            snapshot.buyers.values.reduce(0, +), snapshot.reserved + snapshot.paid,
            "\(sku): Σ buyers = reserved + paid", file: file, line: line)
        XCTAssertLessThanOrEqual(snapshot.reserved + snapshot.paid, snapshot.total, "\(sku) oversold", file: file, line: line)
        if sale.perUserLimit > 0 {
            XCTAssertTrue(snapshot.buyers.values.allSatisfy { $0 <= sale.perUserLimit }, "\(sku) limit", file: file, line: line)
        }
    }

    // The order hashes must agree with the counters, buyers and the expiry set.
    var reserved: [String: Int64] = [:], paid: [String: Int64] = [:], held: [String: Int64] = [:]
    var reservedIDs: [String: Int64] = [:]
    for (id, packed) in try redis.command("HGETALL", sale.keys.orders).hash {
        guard let order = OrderRecord(sale: sale.id, orderID: id, packed: packed) else {
            XCTFail("order \(id) is malformed: \(packed)", file: file, line: line)
            continue
        }
        let sku = order.sku, qty = order.quantity
        switch order.status {
        case "reserved":
            reserved[sku, default: 0] += qty
            reservedIDs[id] = order.expiresAtMillis
            held[sku + "|" + order.user, default: 0] += qty
        case "paid", "fulfilled":
            paid[sku, default: 0] += qty
            held[sku + "|" + order.user, default: 0] += qty
        case "cancelled", "expired": break
        default: XCTFail("order \(id) has status \(order.status)", file: file, line: line)
        }
    }
    for sku in skus {
        let snapshot = snapshots[sku]!
        XCTAssertEqual(reserved[sku] ?? 0, snapshot.reserved, "\(sku): reserved vs orders", file: file, line: line)
        XCTAssertEqual(paid[sku] ?? 0, snapshot.paid, "\(sku): paid vs orders", file: file, line: line)
        for (user, units) in snapshot.buyers {
            XCTAssertEqual(held[sku + "|" + user] ?? 0, units, "\(sku)/\(user): buyer units vs orders", file: file, line: line)
        }
    }
    // Every reserved order is listed under its expiry second, and that second is due at T × 1000.
    let seconds = try redis.command("ZRANGE", sale.keys.expiry, "0", "-1", "WITHSCORES").hash
    var listed: [String: Int64] = [:]
    for (second, score) in seconds {
        XCTAssertEqual(Int64(score), (Int64(second) ?? -1) * 1000, "score of expiry second \(second)", file: file, line: line)
        for id in try redis.command("LRANGE", sale.keys.expiry(second: Int64(second) ?? -1), "0", "-1").elements.compactMap(\.string) {
            listed[id] = Int64(second)
        }
    }
    for (id, expires) in reservedIDs {
        XCTAssertEqual(listed[id], expires / 1000, "expiry second of \(id)", file: file, line: line)
    }

    // The audit script must agree with the MULTI read.
    let audit = try SKUAudit.parse(redis.runScript(FlashSaleScripts.auditCall(sale: sale.id)))
    for row in audit {
        let snapshot = snapshots[row.sku]
        XCTAssertEqual(row.pool, snapshot?.pool, file: file, line: line)
        XCTAssertEqual(row.leased, snapshot?.leased, file: file, line: line)
        XCTAssertTrue(row.isConserved && row.buyersMatch, "audit \(row)", file: file, line: line)
    }
    XCTAssertEqual(Set(audit.map(\.sku)), Set(skus), "audit covers every SKU", file: file, line: line)
    return snapshots
}

/// A thread-safe accumulator for the concurrent tests.
final class ScriptsLocked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value
    init(_ value: Value) { self.value = value }
    func update<R>(_ body: (inout Value) -> R) -> R {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }
    var current: Value { update { $0 } }
}
