import FlashSaleRedis
import TestSupport
import XCTest
import FlashSaleWorker

final class ScriptsPayCancelExpiryTests: XCTestCase {
    private let now = ScriptsTestSale.now

    private func pay(_ redis: BlockingRedis, _ id: String, at time: Int64) throws -> PayOutcome {
        try PayOutcome.parse(redis.runScript(FlashSaleScripts.payCall(sale: "s1", orderID: id, nowMillis: time)))
    }

    private func cancel(_ redis: BlockingRedis, _ id: String, by user: String, at time: Int64) throws -> CancelOutcome {
        try CancelOutcome.parse(redis.runScript(FlashSaleScripts.cancelCall(sale: "s1", orderID: id, user: user, nowMillis: time)))
    }

    private func sweep(_ redis: BlockingRedis, at time: Int64, limit: Int = 500) throws -> SweepOutcome {
        try SweepOutcome.parse(redis.runScript(FlashSaleScripts.expirySweepCall(sale: "s1", nowMillis: time, limit: limit)))
    }

    private func record(_ redis: BlockingRedis, _ id: String) throws -> OrderRecord? {
        try redis.command("HGET", FlashSaleKeys(sale: "s1").orders, id).string.flatMap {
            OrderRecord(sale: "s1", orderID: id, packed: $0)
        }
    }

    /// Leases `orders.count` units of their SKU to `n/0` and records the batch.
    private func reserve(_ redis: BlockingRedis, _ orders: [FlushOrder]) throws {
        for (sku, group) in Dictionary(grouping: orders, by: \.sku) {
            _ = try redis.runScript(FlashSaleScripts.leaseCall(
                sale: "s1", sku: sku, worker: "n/0", want: group.reduce(0) { $0 + $1.quantity }))
        }
        let outcome = try FlushReply.parse(redis.runScript(FlashSaleScripts.flushCall(sale: "s1", worker: "n/0", orders: orders)))
        XCTAssertEqual(outcome.results, Array(repeating: .recorded, count: orders.count))
    }

    func testPayCancelAndSweepMoveUnitsExactlyOnce() throws {
        let server = try RedisServerProcess()
        let redis = try server.client()
        let sale = ScriptsTestSale(skus: ["a": 10], perUserLimit: 2)
        try sale.create(on: redis)
        try reserve(redis, (1...5).map { sale.order("o\($0)", sku: "a", user: "u\($0)", qty: $0 == 5 ? 2 : 1, ttl: 1_000) })
        try scriptsCheckInvariants(redis, sale: sale)

        XCTAssertEqual(try pay(redis, "o1", at: now + 10), .paid(orderID: "o1", sku: "a", user: "u1", quantity: 1))
        XCTAssertEqual(try pay(redis, "o1", at: now + 20), .alreadyPaid)
        XCTAssertEqual(try record(redis, "o1")?.fields["paid_at"], String(now + 10))
        XCTAssertEqual(try cancel(redis, "o1", by: "u1", at: now + 30), .notReserved(status: "paid"))
        XCTAssertEqual(try pay(redis, "nope", at: now), .notFound)

        XCTAssertEqual(try cancel(redis, "o2", by: "u9", at: now + 10), .notFound, "only its buyer may cancel")
        XCTAssertEqual(try cancel(redis, "o2", by: "u2", at: now + 10),
                       .cancelled(ReleasedOrder(orderID: "o2", sku: "a", user: "u2", quantity: 1)))
        XCTAssertEqual(try cancel(redis, "o2", by: "u2", at: now + 11), .notReserved(status: "cancelled"))
        XCTAssertEqual(try pay(redis, "o2", at: now + 12), .notReserved(status: "cancelled"), "a cancelled order cannot be paid")
        XCTAssertEqual(try redis.command("GET", sale.keys.pool("a")).int, 5)
        try scriptsCheckInvariants(redis, sale: sale)

        // At expires_at, before any sweep: pay refuses and expires the order right there.
        XCTAssertEqual(try pay(redis, "o3", at: now + 1_000), .expiredNow(ReleasedOrder(orderID: "o3", sku: "a", user: "u3", quantity: 1)))
        XCTAssertEqual(try pay(redis, "o3", at: now + 999), .notReserved(status: "expired"), "a late payment resurrects nothing")
        XCTAssertEqual(try cancel(redis, "o4", by: "u4", at: now + 2_000), .expiredNow(ReleasedOrder(orderID: "o4", sku: "a", user: "u4", quantity: 1)))

        XCTAssertEqual(try sweep(redis, at: now + 999), SweepOutcome(expired: [], more: false))
        XCTAssertEqual(try sweep(redis, at: now + 1_000),
                       SweepOutcome(expired: [ReleasedOrder(orderID: "o5", sku: "a", user: "u5", quantity: 2)], more: false))
        XCTAssertEqual(try sweep(redis, at: now + 5_000), SweepOutcome(expired: [], more: false))
        XCTAssertEqual(try pay(redis, "o5", at: now + 10), .notReserved(status: "expired"))

        let snapshot = try scriptsCheckInvariants(redis, sale: sale)["a"]!
        XCTAssertEqual(snapshot.pool, 9)
        XCTAssertEqual(snapshot.counts, ["total": 10, "reserved": 0, "paid": 1, "cancelled": 1, "expired": 4])
        XCTAssertEqual(snapshot.buyers, ["u1": 1])
        let entries = try redis.command("XRANGE", sale.keys.events, "-", "+").elements.compactMap {
            OrderEventEntry(fields: $0.elements[1].asEngineRedisValue.fieldPairs)
        }
        XCTAssertEqual(entries.map(\.type), [
            "reserved", "paid", "cancelled", "payment_unmatched", "expired", "payment_unmatched", "payment_unmatched",
            "expired", "expired", "payment_unmatched",
        ])
        XCTAssertEqual(entries[0].orders.map(\.id), ["o1", "o2", "o3", "o4", "o5"], "one reserved entry for the batch")
        XCTAssertEqual(entries[3].orders.map(\.tokens), [["a", "u2", "1", "0", "cancelled"]], "late payment of a cancelled order")
        XCTAssertEqual(entries[1].atMillis, now + 10)

        // Released units sell again, also to the buyers who let them go.
        try reserve(redis, [sale.order("r1", sku: "a", user: "u2"), sale.order("r2", sku: "a", user: "u5", qty: 2)])
        XCTAssertEqual(try scriptsCheckInvariants(redis, sale: sale)["a"]?.reserved, 3)
    }

    func testFulfilOnlyAPaidOrderOnce() throws {
        let server = try RedisServerProcess()
        let redis = try server.client()
        let sale = ScriptsTestSale(skus: ["a": 10], perUserLimit: 2)
        try sale.create(on: redis)
        try reserve(redis, [sale.order("f1", sku: "a", user: "u1"), sale.order("f2", sku: "a", user: "u2", key: "k2")])
        func fulfil(_ id: String, _ carrier: String = "DHL", _ tracking: String = "JD014600") throws -> FulfilOutcome {
            try FulfilOutcome.parse(redis.runScript(FlashSaleScripts.fulfilCall(
                sale: "s1", orderID: id, carrier: carrier, tracking: tracking, nowMillis: now + 50)))
        }
        XCTAssertEqual(try fulfil("f1"), .notPaid(status: "reserved"))
        XCTAssertEqual(try fulfil("nope"), .notFound)
        _ = try pay(redis, "f1", at: now + 10)
        _ = try pay(redis, "f2", at: now + 10)
        guard case .invalid(let why) = try fulfil("f1", "D H L") else { return XCTFail("a carrier with spaces was taken") }
        XCTAssertTrue(why.hasPrefix("carrier"), why)
        // The API's alphabet (printable ASCII without space, '"', '\\'), 1-64 bytes.
        for (carrier, tracking) in [("DHL", "a\"b"), ("DHL", "a\\b"), ("", "1"), ("DHL", String(repeating: "9", count: 65))] {
            guard case .invalid = try fulfil("f2", carrier, tracking) else { return XCTFail("\(carrier) \(tracking) was taken") }
        }
        XCTAssertEqual(try fulfil("f1"), .fulfilled)
        XCTAssertEqual(try fulfil("f1", "UPS", "1Z"), .alreadyFulfilled(carrier: "DHL", tracking: "JD014600"))
        XCTAssertEqual(try fulfil("f2", "UPS", "1Z#99/x~"), .fulfilled)
        let f1 = try XCTUnwrap(record(redis, "f1")), f2 = try XCTUnwrap(record(redis, "f2"))
        XCTAssertEqual(f1.status, "fulfilled")
        XCTAssertEqual(f1.fields["paid_at"], String(now + 10), "the payment time stays")
        XCTAssertEqual([f1.fields["fulfilled_at"], f1.fields["carrier"], f1.fields["tracking"]], [String(now + 50), "DHL", "JD014600"])
        // Schema 3 records keep no Idempotency-Key (the order's id answers for it).
        XCTAssertEqual([f2.fields["idem"], f2.fields["carrier"], f2.fields["tracking"]], [nil, "UPS", "1Z#99/x~"])
        XCTAssertEqual(try pay(redis, "f1", at: now + 60), .alreadyPaid)
        XCTAssertEqual(try cancel(redis, "f1", by: "u1", at: now + 60), .notReserved(status: "fulfilled"))
        let last = try redis.command("XREVRANGE", sale.keys.events, "+", "-", "COUNT", "1").elements[0].elements[1]
        let entry = try XCTUnwrap(OrderEventEntry(fields: last.asEngineRedisValue.fieldPairs))
        XCTAssertEqual(entry.type, "fulfilled")
        XCTAssertEqual(entry.orders.map(\.tokens), [["a", "u2", "1", "0", "UPS", "1Z#99/x~"]])
        let snapshot = try scriptsCheckInvariants(redis, sale: sale)["a"]!
        XCTAssertEqual(snapshot.paid, 2, "a fulfilled order still counts as paid")
        XCTAssertEqual(snapshot.counts["fulfilled"], 2)
    }

    func testSweepHonoursItsLimit() throws {
        let server = try RedisServerProcess()
        let redis = try server.client()
        let sale = ScriptsTestSale(skus: ["a": 10], perUserLimit: 10)
        try sale.create(on: redis)
        try reserve(redis, (1...7).map { sale.order("o\($0)", sku: "a", user: "u", ttl: Int64($0)) })
        let first = try sweep(redis, at: now + 100, limit: 3)
        XCTAssertEqual(first.expired.map(\.orderID), ["o1", "o2", "o3"])
        XCTAssertTrue(first.more)
        XCTAssertEqual(try sweep(redis, at: now + 5, limit: 3).expired.map(\.orderID), ["o4", "o5"])
        XCTAssertEqual(try sweep(redis, at: now + 100, limit: 3), SweepOutcome(
            expired: [ReleasedOrder(orderID: "o6", sku: "a", user: "u", quantity: 1), ReleasedOrder(orderID: "o7", sku: "a", user: "u", quantity: 1)],
            more: false))
        try scriptsCheckInvariants(redis, sale: sale)
    }

    /// Two threads per round: one pays every order, one sweeps them. Whatever the
    /// interleaving, each order ends paid XOR expired and each unit moves once.
    func testPayRacingExpiryNeverPaysAndExpiresTheSameOrder() throws {
        let server = try RedisServerProcess()
        let redis = try server.client()
        let rounds = 40, perRound = 25
        let sale = ScriptsTestSale(skus: ["a": Int64(rounds * perRound)], perUserLimit: 1)
        try sale.create(on: redis)
        let port = server.port
        var totalPaid = 0, totalExpired = 0

        for round in 0..<rounds {
            let expires = now + Int64(round) * 10_000 + 5_000
            let ids = (0..<perRound).map { "r\(round)-\($0)" }
            try reserve(redis, ids.map { sale.order($0, sku: "a", user: "u-" + $0, ttl: expires - now) })
            let before = try scriptsCheckInvariants(redis, sale: sale)["a"]!
            // Even rounds: the payer's clock is before expires_at (pay vs sweep decides);
            // odd rounds: at expires_at, so both threads try to expire the same orders.
            let payAt = round % 2 == 0 ? expires - 1 : expires
            let paid = ScriptsLocked<Set<String>>([]), expired = ScriptsLocked<[String]>([]), failures = ScriptsLocked<[String]>([])
            runOnThreads(2) { thread in
                do {
                    let client = try BlockingRedis(port: port)
                    if thread == 0 {
                        for id in ids.shuffled() {
                            switch try PayOutcome.parse(client.runScript(FlashSaleScripts.payCall(sale: "s1", orderID: id, nowMillis: payAt))) {
                            case .paid(let orderID, _, _, _): paid.update { _ = $0.insert(orderID) }
                            case .expiredNow(let order): expired.update { $0.append(order.orderID) }
                            case .notReserved(status: "expired"): break
                            case let other: failures.update { $0.append("pay \(id): \(other)") }
                            }
                        }
                    } else {
                        var idle = 0
                        while idle < 3 {
                            let outcome = try SweepOutcome.parse(client.runScript(
                                FlashSaleScripts.expirySweepCall(sale: "s1", nowMillis: expires, limit: 2)))
                            expired.update { $0.append(contentsOf: outcome.expired.map(\.orderID)) }
                            idle = outcome.expired.isEmpty && !outcome.more ? idle + 1 : 0
                        }
                    }
                } catch {
                    failures.update { $0.append("thread \(thread): \(error)") }
                }
            }
            XCTAssertEqual(failures.current, [])
            let expiredIDs = expired.current
            XCTAssertEqual(Set(expiredIDs).count, expiredIDs.count, "round \(round): an order expired twice")
            XCTAssertTrue(paid.current.isDisjoint(with: expiredIDs), "round \(round): paid and expired")
            XCTAssertEqual(paid.current.union(expiredIDs), Set(ids), "round \(round): every order settled")
            if round % 2 == 1 { XCTAssertTrue(paid.current.isEmpty, "round \(round): paid at expires_at") }
            for id in ids {
                let status = try record(redis, id)?.status
                XCTAssertEqual(status, paid.current.contains(id) ? "paid" : "expired", id)
            }
            let after = try scriptsCheckInvariants(redis, sale: sale)["a"]!
            XCTAssertEqual(after.paid - before.paid, Int64(paid.current.count), "round \(round)")
            XCTAssertEqual(after.counts["expired", default: 0] - before.counts["expired", default: 0], Int64(expiredIDs.count))
            XCTAssertEqual(after.pool - before.pool, Int64(expiredIDs.count), "round \(round): each expired unit back once")
            XCTAssertEqual(after.reserved, 0)
            totalPaid += paid.current.count
            totalExpired += expiredIDs.count
        }
        XCTAssertEqual(totalPaid + totalExpired, rounds * perRound)
        XCTAssertGreaterThan(totalExpired, 0)
    }
}
