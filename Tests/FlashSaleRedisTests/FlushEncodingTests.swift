import FlashSaleCore
import FlashSaleRedis
import XCTest

/// The engine encodes the flush as RESP straight from its drained batch; tests and
/// tools build it as Strings. Both come from one layout function and must give the
/// same bytes on the wire.
final class FlushEncodingTests: XCTestCase {
    func testRESPFromTheBatchEqualsTheStringCall() throws {
        let core = ProcessCore(configuration: CoreConfiguration(instance: 3))
        _ = try core.sales.install(SaleConfig(
            name: "s1", startsAtMillis: 0, endsAtMillis: 10_000, perUserLimit: 5, reservationTTLMillis: 600_000,
            items: [SaleItem(sku: "a", stock: 100), SaleItem(sku: "b-2", stock: 100)]))
        let shard = WorkerShard(process: core, workerIndex: 0)
        for handle in ["a", "b-2"].compactMap({ shard.skuHandle(sale: "s1", sku: $0) }) {
            shard.leaseGranted(handle, granted: 50, poolRemaining: 50, now: 1)
        }
        let buys: [(String, String, Int, String?)] = [("u1", "a", 1, nil), ("u-2", "b-2", 3, "key é"), ("u3", "a", 2, "k")]
        for (user, sku, qty, key) in buys {
            let decision = shard.purchase(sale: "s1", sku: sku, user: user, qty: qty, idempotencyKey: key, now: 5)
            guard case .reserved = decision else { return XCTFail("\(decision)") }
        }
        var batch: [PendingOrder] = []
        shard.drainPendingOrders(maxCount: 10, into: &batch)
        XCTAssertEqual(batch.count, 3)

        var resp = RESPBulkWriter()
        let keyCount = FlashSaleScripts.writeFlush(sale: "s1", worker: "n/0", orders: batch[...], into: &resp)
        let strings = FlashSaleScripts.flushCall(sale: "s1", worker: "n/0", orders: batch.map {
            FlushOrder(orderID: $0.id.text, sku: $0.skuName, user: $0.user, quantity: Int64($0.qty),
                       idempotencyKey: $0.idempotencyKey, createdAtMillis: $0.createdAtMillis, expiresAtMillis: $0.expiresAtMillis,
                       orderIDFromKey: $0.orderIDFromKey, keyInRecord: $0.keyInRecord)
        })
        XCTAssertEqual(keyCount, strings.keys.count)
        XCTAssertEqual(keyCount, 5 + 3 * 2, "no key per order in schema 2")
        XCTAssertEqual(resp.count, strings.keys.count + strings.arguments.count)
        let head = ["EVALSHA", "0123456789abcdef0123456789abcdef01234567", String(keyCount)]
        XCTAssertEqual(RESPCommand(head: head, arguments: resp).bytes,
                       RESPCommand(head: head, keys: strings.keys, args: strings.arguments).bytes)
        XCTAssertEqual(strings.keys[4], "fs:{s1}:orders")
        // The last order's 8 values: id, sku index, user, qty, idem field, expiry second, record, event.
        let last = Array(strings.arguments.suffix(8))
        let o = batch[2]
        XCTAssertEqual(last, [
            o.id.text, "1", "u3", "2", "2:u3:k", String(o.expiresAtMillis / 1000),
            "reserved a u3 2 0 \(o.createdAtMillis) \(o.expiresAtMillis) 0 k", "a u3 2 0",
        ])
    }

    func testDecimalsOfEveryWidthAndSign() {
        var resp = RESPBulkWriter()
        let values: [Int64] = [0, 7, 10, 99, 1_700_000_000_123, Int64.max, -1, Int64.min + 1]
        for value in values { resp.argument(decimal: value) }
        XCTAssertEqual(RESPCommand(head: ["X"], arguments: resp).bytes, RESPCommand(["X"] + values.map(String.init)).bytes)
    }
}
