import Benchmark
import FlashSaleCore
import Foundation

// One purchase decision per path (reserved, sold_out, limit_exceeded, duplicate): time per
// decision and mallocs per decision (scaling .kilo: counts are per decision). Plus the memory
// held per buyer and per pending order at 1M of each.

/// One worker's core kept across benchmark iterations. The runner calls one benchmark
/// closure at a time on one thread, so the non-Sendable shard is never shared.
final class Bench: @unchecked Sendable {
    let core: ProcessCore
    let shard: WorkerShard
    let users: [String]
    var batch: [PendingOrder] = []
    let now: Int64 = 1_000_000

    init(limit: Int, stock: Int, users count: Int = 1024, pendingCapacity: Int = 8192) {
        core = ProcessCore(configuration: CoreConfiguration(
            instance: 1, pendingOrderCapacity: pendingCapacity, idempotencyCapacity: 1 << 20))
        _ = try? core.sales.install(SaleConfig(
            name: "flash-sale", startsAtMillis: 0, endsAtMillis: Int64.max, perUserLimit: limit,
            reservationTTLMillis: 600_000, items: [SaleItem(sku: "sku-1", stock: stock)]))
        shard = WorkerShard(process: core, workerIndex: 0)
        users = (0..<count).map { "user-\(100_000 + $0)" }  // 11 bytes: small Strings
        batch.reserveCapacity(4096)
    }

    /// Grants every wanted lease from an endless pool (stands in for the Redis round trip).
    @inline(__always)
    func serviceLeases(poolAfter: Int = 1 << 40) {
        guard shard.hasLeaseRequests else { return }
        let shard = self.shard
        let now = self.now
        shard.drainLeaseRequests { request in
            shard.leaseGranted(request.sku, granted: request.units, poolRemaining: poolAfter, now: now)
        }
        shard.drainParkedResolutions { _, decision in blackHole(decision) }
    }

    /// Group commit stand-in: drain the queue and confirm every order.
    @inline(__always)
    func confirmAll() {
        batch.removeAll(keepingCapacity: true)
        shard.drainPendingOrders(maxCount: 4096, into: &batch)
        for order in batch { shard.orderFlushed(order.id, outcome: .confirmed, now: now) }
    }

    /// One unit of `sku-1` for `user` (String API).
    @inline(__always)
    func purchase(user: String, key: String? = nil) -> PurchaseDecision {
        shard.purchase(sale: "flash-sale", sku: "sku-1", user: user, qty: 1, idempotencyKey: key, now: now)
    }

    /// Buys until reserved, servicing leases.
    func buy(user: String, key: String?) {
        for _ in 0..<4 {
            if case .reserved = purchase(user: user, key: key) { return }
            serviceLeases()
        }
    }
}

/// Resident memory of this process, from /proc/self/statm.
func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

let decisionMetrics: [BenchmarkMetric] = [.wallClock, .mallocCountTotal, .throughput]

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: decisionMetrics, warmupIterations: 3, scalingFactor: .kilo, maxDuration: .seconds(2),
        maxIterations: 2_000)

    // The decision alone: the queue is drained and confirmed before the measurement starts
    // (leases, one per 192 or so purchases, are granted inside it).
    let decisionOnly = Bench(limit: SaleConfig.maxPerUserLimit, stock: SaleConfig.maxStock)
    Benchmark("purchase reserved (String API, no key)") { benchmark in
        let users = decisionOnly.users
        decisionOnly.confirmAll()
        benchmark.startMeasurement()
        for i in benchmark.scaledIterations {
            blackHole(decisionOnly.purchase(user: users[i & 1023]))
            decisionOnly.serviceLeases()
        }
    }

    let reserved = Bench(limit: SaleConfig.maxPerUserLimit, stock: SaleConfig.maxStock)
    Benchmark("purchase reserved + drain + confirm (group-commit upkeep per order)") { benchmark in
        let shard = reserved.shard
        let users = reserved.users
        for i in benchmark.scaledIterations {
            blackHole(reserved.purchase(user: users[i & 1023]))
            reserved.serviceLeases()
            if shard.queuedOrderCount >= 512 { reserved.confirmAll() }
        }
    }

    let keyed = Bench(limit: SaleConfig.maxPerUserLimit, stock: SaleConfig.maxStock)
    let keyBytes = UnsafeMutableRawBufferPointer.allocate(byteCount: 36, alignment: 8)
    keyBytes.copyBytes(from: Array("00000000-0000-4000-8000-000000000000".utf8))
    let counter = Bench.Counter()
    Benchmark("purchase reserved (bytes API, 36-byte Idempotency-Key)") { benchmark in
        let shard = keyed.shard
        let sale = Array("flash-sale".utf8)
        let sku = Array("sku-1".utf8)
        let user = Array("user-100001".utf8)
        for _ in benchmark.scaledIterations {
            // A new key each time: write a counter into the key's last 12 characters.
            var n = counter.next()
            for index in stride(from: 35, through: 24, by: -1) {
                keyBytes[index] = UInt8(ascii: "0") + UInt8(n % 10)
                n /= 10
            }
            let decision = sale.withUnsafeBytes { saleBytes in
                sku.withUnsafeBytes { skuBytes in
                    user.withUnsafeBytes { userBytes in
                        shard.purchase(
                            saleUTF8: saleBytes, skuUTF8: skuBytes, userUTF8: userBytes, qty: 1,
                            idempotencyKeyUTF8: UnsafeRawBufferPointer(keyBytes), now: keyed.now)
                    }
                }
            }
            blackHole(decision)
            keyed.serviceLeases()
            if shard.queuedOrderCount >= 512 { keyed.confirmAll() }
        }
    }

    // Stock 1, sold; the pool is known empty: every other buyer gets sold_out.
    let soldOut = Bench(limit: 1, stock: 1)
    soldOut.buy(user: "first", key: nil)
    soldOut.serviceLeases(poolAfter: 0)
    Benchmark("purchase sold_out") { benchmark in
        let users = soldOut.users
        for i in benchmark.scaledIterations {
            blackHole(soldOut.purchase(user: users[i & 1023]))
        }
    }

    // Limit 1 and the user already holds 1: limit_exceeded (ledger lock + hash).
    let limited = Bench(limit: 1, stock: 1_000_000)
    limited.buy(user: "holder", key: nil)
    Benchmark("purchase limit_exceeded") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(limited.purchase(user: "holder"))
        }
    }

    // The same user, key and body again: duplicate (idempotency record hit).
    let duplicate = Bench(limit: 1, stock: 1_000_000)
    duplicate.buy(user: "retrier", key: "3f2b8c1e-5d4a-4e7b-9c6d-2a1b0c9d8e7f")
    Benchmark("purchase duplicate (36-byte key)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(duplicate.purchase(user: "retrier", key: "3f2b8c1e-5d4a-4e7b-9c6d-2a1b0c9d8e7f"))
        }
    }

    // Memory: 1M distinct buyers holding units (orders confirmed as they go, so only the
    // ledger grows), then 1M pending orders of one buyer (only the order queue grows).
    let memoryConfiguration = Benchmark.Configuration(
        metrics: [.wallClock, .peakMemoryResidentDelta], warmupIterations: 0, scalingFactor: .one,
        maxDuration: .seconds(60), maxIterations: 1)
    Benchmark("memory: 1M buyers in the ledger", configuration: memoryConfiguration) { benchmark in
        let bench = Bench(limit: 1, stock: SaleConfig.maxStock)
        let before = residentBytes()
        for i in 0..<1_000_000 {
            bench.buy(user: "buyer-\(10_000_000 + i)", key: nil)  // 14 bytes: small String
            if bench.shard.queuedOrderCount >= 4096 { bench.confirmAll() }
        }
        bench.confirmAll()
        let after = residentBytes()
        let entries = bench.core.ledger.buyerEntryCount
        print("ledger: \(entries) buyers, table \(bench.core.ledger.tableBytes / entries) B/buyer, "
            + "resident delta \((after - before) / entries) B/buyer")
        blackHole(bench)
    }
    Benchmark("memory: 1M pending orders", configuration: memoryConfiguration) { benchmark in
        let bench = Bench(limit: SaleConfig.maxPerUserLimit, stock: SaleConfig.maxStock, pendingCapacity: 1 << 20)
        let before = residentBytes()
        for _ in 0..<1_000_000 {
            bench.buy(user: "user-100001", key: nil)
        }
        let after = residentBytes()
        let count = bench.shard.pendingOrderCount
        print("pending: \(count) orders, table \(bench.shard.pendingTableBytes / count) B/order, "
            + "resident delta \((after - before) / count) B/order (+ heap for user ids and keys over 15 bytes)")
        blackHole(bench)
    }
}

extension Bench {
    /// A counter the Sendable benchmark closures can share (one closure runs at a time).
    final class Counter: @unchecked Sendable {
        private var value = 0

        func next() -> Int {
            value &+= 1
            return value
        }
    }
}
