import FlashSaleRedis
import FlashSaleWorker
import Foundation
import TestSupport
import XCTest

/// docs/redis-schema.md's worked example (examples/events_consumer.py, redis-py) reads
/// what the scripts write: one line per (event, order) with a stable delivery id.
final class EventsConsumerExampleTests: XCTestCase {
    func testThePythonConsumerReadsBatchedEntries() throws {
        let probe = try ChildProcess(executable: "/usr/bin/env", arguments: ["python3", "-c", "import redis"])
        guard probe.waitForExit(timeoutSeconds: 30) == 0 else {
            throw XCTSkip("python3 with redis-py is not installed (scripts/setup.sh installs python3-redis)")
        }
        let server = try RedisServerProcess()
        let redis = try server.client()
        let sale = ScriptsTestSale(skus: ["a": 10], perUserLimit: 2)
        try sale.create(on: redis)
        _ = try redis.runScript(FlashSaleScripts.leaseCall(sale: "s1", sku: "a", worker: "n/0", want: 3))
        let orders = [sale.order("o1", sku: "a", user: "u1"), sale.order("o2", sku: "a", user: "u2", qty: 2)]
        let flushed = try FlushReply.parse(redis.runScript(FlashSaleScripts.flushCall(sale: "s1", worker: "n/0", orders: orders)))
        XCTAssertEqual(flushed.results, [.recorded, .recorded])
        _ = try redis.runScript(FlashSaleScripts.payCall(sale: "s1", orderID: "o1", nowMillis: ScriptsTestSale.now + 5))
        let ids = try redis.command("XRANGE", sale.keys.events, "-", "+").elements.compactMap { $0.elements.first?.string }
        XCTAssertEqual(ids.count, 2, "one reserved entry for the batch, one paid entry")

        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/events_consumer.py").path
        let consumer = try ChildProcess(
            executable: "/usr/bin/env", arguments: ["python3", example, "--url", server.url, "--sale", "s1", "--once"])
        XCTAssertEqual(consumer.waitForExit(timeoutSeconds: 30), 0, consumer.output())
        XCTAssertEqual(consumer.output().split(separator: "\n").map(String.init), [
            "reserved s1:\(ids[0]):o1 a u1 1 0 XXX",
            "reserved s1:\(ids[0]):o2 a u2 2 0 XXX",
            "paid s1:\(ids[1]):o1 a u1 1 0 XXX",
        ])
        XCTAssertEqual(try redis.command("XPENDING", sale.keys.events, "fulfil").elements.first?.int, 0, "every entry acknowledged")
    }
}
