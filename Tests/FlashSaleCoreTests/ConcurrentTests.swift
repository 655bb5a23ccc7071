import FlashSaleCore
import Foundation
import Synchronization
import Testing
import TestSupport

/// Several workers on real threads share one ProcessCore (ledger, idempotency, sales) and one
/// SimulatedRedis standing in for the pool authority. After each run: never oversold,
/// total = pool + leases + reserved + paid, per-user limit, one order per (user, key), local
/// ledger = Redis, and (burst runs) every unit sold when demand exceeds stock.
struct ConcurrentTests {
    struct Setup {
        let core: ProcessCore
        let redis: SimulatedRedis
        let handles: [SKUHandle]
        let names: [String]
        let limit: Int
    }

    static func makeSetup(seed: UInt64, stocks: [Int], limit: Int) throws -> Setup {
        let core = ProcessCore(configuration: CoreConfiguration(
            instance: 3, leasePolicy: LeasePolicy(maxLease: 16, shareDivisor: 8, emptyPoolRecheckMillis: 100),
            pendingOrderCapacity: 64, parkCapacity: 32, parkTimeoutMillis: 40, ledgerStripes: 8, hashSeed: seed))
        let names = stocks.indices.map { "sku-\($0)" }
        _ = try core.sales.install(SaleConfig(
            name: "flash", startsAtMillis: 1000, endsAtMillis: 1 << 40, perUserLimit: limit, reservationTTLMillis: 60_000,
            items: zip(names, stocks).map { SaleItem(sku: $0, stock: $1) }))
        let handles = names.map { core.sales.skuHandle(sale: "flash", sku: $0)! }
        let redis = SimulatedRedis(skus: Array(zip(handles, stocks)), limits: [handles[0].saleSlot: limit])
        return Setup(core: core, redis: redis, handles: handles, names: names, limit: limit)
    }

    /// One worker's loop: purchases, late lease grants, batched flushes with random
    /// rejections, cancels, idle returns, parked expiry; then it drains everything and
    /// returns its slices. In `burst` mode it buys with fresh users until it knows the
    /// pool is empty and its slices are empty.
    static func work(setup: Setup, worker w: Int, seed: UInt64, iterations: Int, burst: Bool, errors: ErrorLog) {
        var rng = SeededRandom(seed: seed &+ UInt64(w) &* 7919)
        let shard = WorkerShard(process: setup.core, workerIndex: w)
        var now: Int64 = 1000
        var leases: [(sku: SKUHandle, granted: Int, poolAfter: Int, elsewhere: Int, due: Int)] = []
        var batch: [PendingOrder] = []
        var confirmed: [(OrderID, SKUHandle, String, Int)] = []
        var iteration = 0

        func flushAll(inject: Bool) {
            batch.removeAll(keepingCapacity: true)
            shard.drainPendingOrders(maxCount: 16, into: &batch)
            for order in batch {
                var injected: FlushOutcome?
                if inject && rng.chance(3) { injected = .rejected(.other) } else if inject && rng.chance(2) { injected = .retry }
                let outcome = setup.redis.flush(worker: w, order: order, inject: injected)
                shard.orderFlushed(order.id, outcome: outcome, now: now)
                if outcome == .confirmed { confirmed.append((order.id, order.sku, order.user, order.qty)) }
            }
        }
        func handleLeases(deliverAll: Bool) {
            shard.drainLeaseRequests { request in
                let answer = setup.redis.lease(worker: w, sku: request.sku, units: request.units)
                leases.append((request.sku, answer.granted, answer.poolAfter, answer.elsewhere, iteration + rng.int(0...4)))
            }
            var index = 0
            while index < leases.count {
                if deliverAll || leases[index].due <= iteration {
                    let lease = leases.remove(at: index)
                    shard.leaseGranted(
                        lease.sku, granted: lease.granted, poolRemaining: lease.poolAfter,
                        leasedElsewhere: lease.elsewhere, now: now)
                } else {
                    index += 1
                }
            }
        }

        while true {
            iteration += 1
            now += Int64(rng.int(0...2))
            if burst {
                // Demand exceeds stock, so the burst ends when Redis shows every unit sold;
                // a unit stranded in a quiet worker's slice would keep it going (and fail).
                if iteration % 64 == 0, leases.isEmpty, shard.pendingOrderCount == 0, shard.parkedCount == 0,
                    setup.redis.snapshot().skus.values.allSatisfy({ $0.reserved + $0.paid == $0.total })
                {
                    break
                }
                if iteration > 400_000 {
                    errors.append("worker \(w) did not finish its burst")
                    break
                }
            } else if iteration > iterations {
                break
            }
            // Burst: worker 0 gets buyers only at first, then stays quiet (its last units
            // must still be sold, by its siblings).
            if !burst || w != 0 || iteration < 150 {
                let k = rng.int(0...(setup.handles.count - 1))
                let user = burst && rng.chance(90) ? "b\(w)-\(iteration)" : "user-\(rng.int(0...29))"
                let key: String? = rng.chance(50) ? "k\(rng.int(0...15))" : nil
                let qty = burst ? 1 : rng.int(1...2)
                _ = shard.purchase(sale: "flash", sku: setup.names[k], user: user, qty: qty, idempotencyKey: key, now: now)
            }
            // The tail: poll for units leased elsewhere, hand back idle or wanted tail slices.
            shard.pollTail(now: now)
            shard.returnTailSlices(now: now) {
                setup.redis.returnLease(worker: w, sku: $0.sku, units: $0.units)
            }
            handleLeases(deliverAll: false)
            if rng.chance(20) { flushAll(inject: true) }
            if !burst && rng.chance(2), !confirmed.isEmpty {
                let (id, sku, user, qty) = confirmed.remove(at: rng.int(0...(confirmed.count - 1)))
                if setup.redis.release(id, expired: rng.chance(50)) != nil {
                    setup.core.ledger.release(qty, sku: sku, user: user)
                }
            }
            if !burst && rng.chance(1) {
                shard.returnSlices(now: now, idleForMillis: 20) {
                    setup.redis.returnLease(worker: w, sku: $0.sku, units: $0.units)
                }
            }
            shard.expireParked(now: now)
            shard.drainParkedResolutions { _, _ in }
        }
        // Wind down: every lease delivered, every order flushed, parked answered, slices returned.
        while !leases.isEmpty || shard.queuedOrderCount > 0 || shard.hasLeaseRequests {
            handleLeases(deliverAll: true)
            flushAll(inject: false)
        }
        shard.expireParked(now: now + 1_000_000)
        shard.drainParkedResolutions { _, _ in }
        shard.returnSlices(now: now, idleForMillis: nil) {
            setup.redis.returnLease(worker: w, sku: $0.sku, units: $0.units)
        }
        if shard.pendingOrderCount != 0 { errors.append("worker \(w) still has pending orders") }
    }

    static func checkAfterRun(_ setup: Setup, seed: UInt64, errors: [String]) -> [String] {
        var found = errors + setup.redis.problems()
        let state = setup.redis.snapshot()
        for (handle, entry) in state.skus {
            let leased = entry.leases.values.reduce(0, +)
            if leased != 0 { found.append("\(handle): \(leased) units still leased after the return") }
        }
        for (key, held) in state.buyers {
            let local = setup.core.ledger.unitsHeld(sku: key.sku, user: key.user)
            if local != held { found.append("ledger \(key.user) holds \(local), Redis \(held)") }
        }
        var perKey: [IdemKey: Int] = [:]
        for order in state.orders.values {
            if let key = order.key { perKey[.init(sale: order.sku.saleSlot, user: order.user, key: key), default: 0] += 1 }
        }
        for (key, count) in perKey where count > 1 { found.append("\(count) orders for \(key)") }
        return found.map { "seed \(seed) (FLASHSALE_CORE_SEED=\(seed)): \($0)" }
    }

    @Test func workersOnThreadsKeepTheInvariants() throws {
        var failures: [String] = []
        for seed in TestSeeds.seeds(defaultBase: 0xC0C0_0000, defaultCount: 12) {
            let setup = try Self.makeSetup(seed: seed, stocks: [120, 30], limit: 2)
            let errors = ErrorLog()
            runOnThreads(4) { w in
                Self.work(setup: setup, worker: w, seed: seed, iterations: 1500, burst: false, errors: errors)
            }
            failures += Self.checkAfterRun(setup, seed: seed, errors: errors.all)
            let sold = setup.redis.snapshot().orders.count
            #expect(sold > 0, "seed \(seed): nothing sold")
        }
        for failure in failures.prefix(10) { print(failure) }
        #expect(failures.isEmpty, "\(failures.first ?? "")")
    }

    @Test func burstWithDemandAboveStockSellsEveryUnit() throws {
        var failures: [String] = []
        for seed in TestSeeds.seeds(defaultBase: 0xB0B0_0000, defaultCount: 6) {
            let stocks = [200, 37, 1]
            let setup = try Self.makeSetup(seed: seed, stocks: stocks, limit: 1)
            let errors = ErrorLog()
            runOnThreads(4) { w in
                Self.work(setup: setup, worker: w, seed: seed, iterations: 0, burst: true, errors: errors)
            }
            failures += Self.checkAfterRun(setup, seed: seed, errors: errors.all)
            let state = setup.redis.snapshot()
            for (handle, entry) in state.skus where entry.reserved + entry.paid != entry.total {
                failures.append("seed \(seed): \(handle) sold \(entry.reserved + entry.paid) of \(entry.total), pool \(entry.pool)")
            }
        }
        for failure in failures.prefix(10) { print(failure) }
        #expect(failures.isEmpty, "\(failures.first ?? "")")
    }
}

/// Errors found on worker threads.
final class ErrorLog: Sendable {
    private let list = Mutex<[String]>([])

    func append(_ message: String) { list.withLock { $0.append(message) } }
    var all: [String] { list.withLock { $0 } }
}
