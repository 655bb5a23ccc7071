import FlashSaleCore
import Testing

struct EdgeCaseTests {
    @Test func saleWindowStartsInclusiveEndsExclusive() throws {
        let f = try Fixture(starts: 1000, ends: 2000)
        var pool = 10
        #expect(f.buy("u", at: 999) == .saleNotStarted)
        #expect(f.buyNow("u", at: 1000, pool: &pool).kind == "reserved")
        #expect(f.buyNow("v", at: 1999, pool: &pool).kind == "reserved")
        #expect(f.buy("w", at: 2000) == .saleEnded)
        #expect(f.shard.saleState(sale: "sale", now: 999) == .scheduled)
        #expect(f.shard.saleState(sale: "sale", now: 1000) == .live)
        #expect(f.shard.saleState(sale: "sale", now: 2000) == .ended)
        #expect(f.shard.saleState(sale: "nope", now: 1000) == nil)
    }

    @Test func quantitiesOutsideTheLimitOrStock() throws {
        let f = try Fixture(stock: 3, limit: 5)
        #expect(f.buy("u", qty: 0) == .invalidQuantity)
        #expect(f.buy("u", qty: -1) == .invalidQuantity)
        #expect(f.buy("u", qty: Int.min) == .invalidQuantity)
        #expect(f.buy("u", qty: Int.max) == .limitExceeded)
        #expect(f.buy("u", qty: 6) == .limitExceeded)
        // More than the SKU's whole stock: sold out at once, no lease asked for.
        #expect(f.buy("u", qty: 4) == .soldOut)
        #expect(!f.shard.hasLeaseRequests)
        var pool = 3
        #expect(f.buyNow("u", qty: 3, pool: &pool).kind == "reserved")
        #expect(f.buy("v", qty: 1) == .soldOut)
    }

    @Test func limitZeroIsNotASale() throws {
        // One rule for the API, the core and the scripts: per_user_limit is 1...max; a
        // limit of 0 is refused before the sale exists (it has no "no limit" meaning).
        #expect(throws: SaleConfigError.invalidPerUserLimit) { try Fixture(limit: 0) }
        #expect(throws: SaleConfigError.invalidPerUserLimit) { try Fixture(limit: SaleConfig.maxPerUserLimit + 1) }
        let f = try Fixture(limit: 1)
        #expect(f.buy("u", qty: 2) == .limitExceeded)
    }

    @Test func hugeUnitsFromRedisDoNotOverflow() throws {
        let f = try Fixture(limit: SaleConfig.maxPerUserLimit)
        f.core.ledger.setUnitsHeld(Int.max, sku: f.handle, user: "u")
        #expect(f.core.ledger.unitsHeld(sku: f.handle, user: "u") == Int(Int32.max))
        var pool = 10
        #expect(f.buyNow("u", qty: SaleConfig.maxPerUserLimit, pool: &pool) == .soldOut)
        #expect(f.buyNow("u", qty: 1, pool: &pool) == .limitExceeded)
        f.core.ledger.release(Int.max, sku: f.handle, user: "u")
        #expect(f.core.ledger.unitsHeld(sku: f.handle, user: "u") == 0)
        f.core.ledger.release(-5, sku: f.handle, user: "u")
        #expect(f.core.ledger.unitsHeld(sku: f.handle, user: "u") == 0)
    }

    @Test func limitAppliesAcrossWorkersPerSKU() throws {
        let f = try Fixture(limit: 1)
        let other = WorkerShard(process: f.core, workerIndex: 1)
        var pool = 10
        #expect(f.buyNow("u", pool: &pool).kind == "reserved")
        #expect(f.buy("u", shard: other).kind == "parked")
        let resolved = f.grant(from: &pool, shard: other)
        #expect(resolved.map(\.1) == [.limitExceeded])
        f.core.ledger.release(1, sku: f.handle, user: "u")  // Redis cancelled the order
        #expect(f.buy("u", shard: other).kind == "reserved")
    }

    @Test func idempotencyDuplicateAndReuse() throws {
        let f = try Fixture(limit: 5)
        var pool = 10
        guard case .reserved(let order) = f.buyNow("u", key: "k1", pool: &pool) else {
            Issue.record("not reserved")
            return
        }
        #expect(f.buy("u", key: "k1") == .duplicate(order))
        #expect(f.buy("u", qty: 2, key: "k1") == .idempotencyKeyReused)
        #expect(f.buyNow("v", key: "k1", pool: &pool).kind == "reserved")  // keys are per user
        // After the sale ended a retry still gets its order back.
        #expect(f.buy("u", key: "k1", at: 5000) == .duplicate(order))
        #expect(f.core.ledger.idempotencyRecordCount == 2)
    }

    @Test func idempotencyRetentionAndCapacity() throws {
        let f = try Fixture(
            limit: 10,
            configuration: CoreConfiguration(
                instance: 1, idempotencyCapacity: 2, idempotencyRetentionMillis: 100, ledgerStripes: 1, hashSeed: 1))
        var pool = 10
        guard case .reserved(let first) = f.buyNow("u", key: "a", at: 1500, pool: &pool) else {
            Issue.record("not reserved")
            return
        }
        #expect(f.buy("u", key: "a", at: 1599) == .duplicate(first))
        #expect(f.buyNow("u", key: "a", at: 1600, pool: &pool).kind == "reserved")  // retention over: decided again
        _ = f.buyNow("u", key: "b", at: 1600, pool: &pool)
        _ = f.buyNow("u", key: "c", at: 1600, pool: &pool)  // capacity 2: the oldest record goes
        #expect(f.core.ledger.idempotencyRecordCount == 2)
    }

    @Test func parksWhileALeaseIsInFlightThenResolvesInOrder() throws {
        let f = try Fixture(stock: 2, limit: 1)
        let a = f.buy("a"), b = f.buy("b"), c = f.buy("c")
        guard case .parked(let ta) = a, case .parked(let tb) = b, case .parked(let tc) = c else {
            Issue.record("expected parked, got \(a) \(b) \(c)")
            return
        }
        var requests: [LeaseRequest] = []
        f.shard.drainLeaseRequests { requests.append($0) }
        #expect(requests.count == 1 && requests[0].saleName == "sale" && requests[0].skuName == "sku")
        #expect(f.buy("d").kind == "parked")  // still in flight: parks, no second request
        #expect(!f.shard.hasLeaseRequests)
        f.shard.leaseGranted(f.handle, granted: 2, poolRemaining: 0, now: 1500)
        var resolved: [(ParkTicket, PurchaseDecision)] = []
        f.shard.drainParkedResolutions { resolved.append(($0, $1)) }
        #expect(resolved.map(\.0) == [ta, tb, tc] + [resolved[3].0])
        #expect(resolved.map(\.1.kind) == ["reserved", "reserved", "soldOut", "soldOut"])
        #expect(tc != ta && tc != tb)
        #expect(f.shard.saleState(sale: "sale", now: 1500) == .soldOut)
    }

    @Test func boundedParkingAndQueue() throws {
        let f = try Fixture(
            stock: 100, limit: 100,
            configuration: CoreConfiguration(
                instance: 1, pendingOrderCapacity: 2, parkCapacity: 1, parkTimeoutMillis: 10, hashSeed: 5))
        #expect(f.buy("a").kind == "parked")
        #expect(f.buy("b") == .overloaded)  // park full
        f.shard.expireParked(now: 1509)
        #expect(!f.shard.hasParkedResolutions)
        f.shard.expireParked(now: 1510)
        var resolved: [PurchaseDecision] = []
        f.shard.drainParkedResolutions { resolved.append($1) }
        #expect(resolved == [.overloaded])
        var pool = 100
        f.grant(from: &pool)
        #expect(f.buy("a").kind == "reserved")
        #expect(f.buy("b").kind == "reserved")
        #expect(f.buy("c") == .overloaded)  // queue full
        var batch: [PendingOrder] = []
        #expect(f.shard.drainPendingOrders(maxCount: 10, into: &batch) == 2)
        #expect(f.buy("c") == .overloaded)  // in flight still counts
        f.shard.orderFlushed(batch[0].id, outcome: .confirmed, now: 1500)
        #expect(f.buy("c").kind == "reserved")
    }

    @Test func leaseFailureAnswersParkedOverloaded() throws {
        let f = try Fixture()
        #expect(f.buy("a").kind == "parked")
        var requests: [LeaseRequest] = []
        f.shard.drainLeaseRequests { requests.append($0) }
        f.shard.leaseFailed(requests[0].sku, now: 1500)
        var resolved: [PurchaseDecision] = []
        f.shard.drainParkedResolutions { resolved.append($1) }
        #expect(resolved == [.overloaded])
        #expect(f.buy("a").kind == "parked")  // asks again
        #expect(f.shard.hasLeaseRequests)
    }

    @Test func flushOutcomesRollBack() throws {
        let f = try Fixture(stock: 10, limit: 3)
        var pool = 10
        for user in ["a", "b", "c", "d"] { _ = f.buyNow(user, key: "k-\(user)", pool: &pool) }
        let slice = f.shard.slice(of: f.handle)!
        var batch: [PendingOrder] = []
        f.shard.drainPendingOrders(maxCount: 10, into: &batch)
        #expect(batch.map(\.user) == ["a", "b", "c", "d"])
        #expect(batch[0].qty == 1)
        #expect(batch[0].idempotencyKey == "k-a" && batch[0].saleName == "sale" && batch[0].skuName == "sku")

        // Limit: Redis says b already holds 3.
        #expect(f.shard.orderFlushed(batch[1].id, outcome: .rejected(.limit(unitsHeld: 3)), now: 1500) == .limitExceeded)
        #expect(f.core.ledger.unitsHeld(sku: f.handle, user: "b") == 3)
        #expect(f.shard.slice(of: f.handle) == slice + 1)
        #expect(f.buy("b", key: "k-b") == .limitExceeded)  // record dropped, limit from Redis

        // Lease: units dropped, not returned to the slice.
        #expect(f.shard.orderFlushed(batch[2].id, outcome: .rejected(.lease), now: 1500) == .overloaded)
        #expect(f.shard.slice(of: f.handle) == slice + 1)
        #expect(f.core.ledger.unitsHeld(sku: f.handle, user: "c") == 0)

        // Retry: back to the head of the queue.
        #expect(f.shard.orderFlushed(batch[3].id, outcome: .retry, now: 1500) == nil)
        var again: [PendingOrder] = []
        f.shard.drainPendingOrders(maxCount: 10, into: &again)
        #expect(again.map(\.id) == [batch[3].id])

        // Idempotency: Redis names another order with the same body.
        let existing = ReservedOrder(
            id: OrderID(millis: 1, instance: 2, worker: 3, sequence: 4), sku: f.handle, qty: 1, createdAtMillis: 1,
            expiresAtMillis: 101)
        #expect(f.shard.orderFlushed(
            batch[0].id, outcome: .rejected(.idempotency(existing: existing, sameBody: true)), now: 1500)
            == .duplicate(existing))
        #expect(f.buy("a", key: "k-a") == .duplicate(existing))
        #expect(f.shard.orderFlushed(batch[0].id, outcome: .confirmed, now: 1500) == nil)  // already answered
        #expect(f.shard.orderFlushed(again[0].id, outcome: .confirmed, now: 1500) == .reserved(again[0].reservation))
        #expect(f.shard.pendingOrderCount == 0)
    }

    @Test func soldOutProbesThePoolAgainLater() throws {
        let f = try Fixture(stock: 1, limit: 1, ends: 10_000)
        var pool = 1
        #expect(f.buyNow("a", pool: &pool).kind == "reserved")  // lease of 1, pool reported empty at 1500
        #expect(!f.shard.hasLeaseRequests)  // no prefetch from an empty pool
        #expect(f.buy("b", at: 1600) == .soldOut)
        #expect(!f.shard.hasLeaseRequests)
        // Redis cancelled a's order; after the recheck interval (500 ms) a buyer triggers a probe.
        pool = 1
        #expect(f.buy("b", at: 1999) == .soldOut)
        #expect(!f.shard.hasLeaseRequests)
        #expect(f.buy("b", at: 2000) == .soldOut)
        #expect(f.shard.hasLeaseRequests)
        f.grant(from: &pool, at: 2000)
        #expect(f.buy("b", at: 2001).kind == "reserved")
    }

    @Test func notePoolRemainingReopensAtOnce() throws {
        let f = try Fixture(stock: 1, limit: 1)
        var pool = 1
        _ = f.buyNow("a", pool: &pool)
        f.grant(from: &pool)
        #expect(f.buy("b") == .soldOut)
        f.shard.notePoolRemaining(1, of: f.handle, now: 1500)
        #expect(f.buy("b").kind == "parked")
    }

    @Test func returnSlicesWhenIdleOrAtShutdown() throws {
        let f = try Fixture(stock: 100, limit: 1)
        var pool = 100
        _ = f.buyNow("a", at: 1100, pool: &pool)
        let slice = f.shard.slice(of: f.handle)!
        #expect(slice > 0)
        var returned: [LeaseReturn] = []
        f.shard.returnSlices(now: 1150, idleForMillis: 100) { returned.append($0) }
        #expect(returned.isEmpty)
        f.shard.returnSlices(now: 1200, idleForMillis: 100) { returned.append($0) }
        #expect(returned.map(\.units) == [slice])
        #expect(f.shard.slice(of: f.handle) == 0)
        f.shard.setSlice(5, of: f.handle, poolRemaining: 50, now: 1200)
        f.shard.returnSlices(now: 1200, idleForMillis: nil) { returned.append($0) }
        #expect(returned.map(\.units) == [slice, 5])
    }

    @Test func leaseSizesShrinkToOneAtTheTail() {
        let policy = LeasePolicy(maxLease: 256, minLease: 1, shareDivisor: 16, lowWatermarkPercent: 25)
        #expect(policy.leaseSize(poolRemaining: 1_000_000) == 256)
        #expect(policy.leaseSize(poolRemaining: 1600) == 100)
        #expect(policy.leaseSize(poolRemaining: 20) == 1)
        #expect(policy.leaseSize(poolRemaining: 0) == 1)
        #expect(policy.lowWatermark(lastLeaseSize: 100) == 25)
        #expect(policy.lowWatermark(lastLeaseSize: 1) == 0)
    }

    @Test func salesAreFoundByBytesAndPickedUpWithoutMessages() throws {
        let f = try Fixture()
        #expect(f.buy("u", at: 1500).kind == "parked")
        #expect(f.shard.purchase(sale: "other", sku: "x", user: "u", qty: 1, idempotencyKey: nil, now: 1500) == .saleNotFound)
        #expect(f.shard.purchase(sale: "sale", sku: "nope", user: "u", qty: 1, idempotencyKey: nil, now: 1500) == .skuNotFound)
        #expect(try f.core.sales.install(SaleConfig(
            name: "other", startsAtMillis: 0, endsAtMillis: 10_000, perUserLimit: 1, reservationTTLMillis: 1,
            items: [SaleItem(sku: "x", stock: 1)])) == .created)
        let bytes: (String, String) -> PurchaseDecision = { sale, sku in
            var sale = sale, sku = sku, user = "u"
            return sale.withUTF8 { s in sku.withUTF8 { k in user.withUTF8 { u in
                f.shard.purchase(
                    saleUTF8: UnsafeRawBufferPointer(s), skuUTF8: UnsafeRawBufferPointer(k),
                    userUTF8: UnsafeRawBufferPointer(u), qty: 1, idempotencyKeyUTF8: nil, now: 1500)
            } } }
        }
        #expect(bytes("other", "x").kind == "parked")
        #expect(bytes("othe", "x") == .saleNotFound)
        #expect(bytes("other", "xx") == .skuNotFound)
        // An update that drops a SKU makes it unknown; an identical install changes nothing.
        let changed = SaleConfig(
            name: "other", startsAtMillis: 0, endsAtMillis: 10_000, perUserLimit: 1, reservationTTLMillis: 1,
            items: [SaleItem(sku: "y", stock: 1)])
        #expect(try f.core.sales.install(changed) == .updated)
        #expect(try f.core.sales.install(changed) == .unchanged)
        #expect(bytes("other", "x") == .skuNotFound)
        #expect(f.core.sales.skuHandle(sale: "other", sku: "x") == nil)
        #expect(f.shard.skuHandle(sale: "other", sku: "y") == f.core.sales.skuHandle(sale: "other", sku: "y"))
        #expect(f.shard.names(of: f.handle)! == ("sale", "sku"))
    }

    @Test func invalidSalesAreRefused() {
        let core = ProcessCore(configuration: CoreConfiguration(instance: 1))
        func install(_ config: SaleConfig) -> SaleConfigError? {
            do {
                _ = try core.sales.install(config)
                return nil
            } catch {
                return error
            }
        }
        let good = SaleConfig(
            name: "s", startsAtMillis: 0, endsAtMillis: 1, perUserLimit: 1, reservationTTLMillis: 1,
            items: [SaleItem(sku: "a", stock: 1)])
        var bad = good
        bad.endsAtMillis = 0
        #expect(install(bad) == .endsBeforeStart)
        bad = good
        bad.items = [SaleItem(sku: "a", stock: 1), SaleItem(sku: "a", stock: 2)]
        #expect(install(bad) == .duplicateSKU)
        bad = good
        bad.items = [SaleItem(sku: "a", stock: -1)]
        #expect(install(bad) == .invalidStock)
        bad = good
        bad.perUserLimit = -1
        #expect(install(bad) == .invalidPerUserLimit)
        bad = good
        bad.name = ""
        #expect(install(bad) == .invalidName)
        #expect(install(good) == nil)
    }
}
