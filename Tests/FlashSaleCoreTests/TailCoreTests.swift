import FlashSaleCore
import Testing

/// The tail with several workers of one process: a purchase the slice cannot cover while
/// the pool is empty but units are leased to other workers is parked (not sold out), the
/// lease is polled, and a sibling hands back an idle or wanted tail slice.
struct TailCoreTests {
    /// Answers every wanted lease of `shard` with the given reply; returns the requested units.
    @discardableResult
    static func answerLeases(
        _ shard: WorkerShard, granted: Int, pool: Int, elsewhere: Int, at now: Int64
    ) -> [Int] {
        var requests: [LeaseRequest] = []
        shard.drainLeaseRequests { requests.append($0) }
        for request in requests {
            shard.leaseGranted(request.sku, granted: granted, poolRemaining: pool, leasedElsewhere: elsewhere, now: now)
        }
        return requests.map(\.units)
    }

    static func resolutions(_ shard: WorkerShard) -> [String] {
        var kinds: [String] = []
        shard.drainParkedResolutions { kinds.append($1.kind) }
        return kinds
    }

    @Test func parksAtTheTailWhileUnitsAreLeasedElsewhereThenSoldOut() throws {
        let f = try Fixture(stock: 10, limit: 1, ends: 10_000)
        let b = WorkerShard(process: f.core, workerIndex: 1)
        #expect(f.buy("b0", at: 1500, shard: b).kind == "parked")
        // The pool is empty but 2 units sit in another worker's slice: still parked.
        Self.answerLeases(b, granted: 0, pool: 0, elsewhere: 2, at: 1500)
        #expect(Self.resolutions(b).isEmpty)
        #expect(b.parkedCount == 1)
        #expect(f.core.tailDemand.demandedAt(f.handle) == 1500, "the siblings are told")
        // A second buyer parks too, without a lease call before the poll interval (10 ms).
        #expect(f.buy("b1", at: 1505, shard: b).kind == "parked")
        #expect(!b.hasLeaseRequests)
        b.pollTail(now: 1509)
        #expect(!b.hasLeaseRequests)
        b.pollTail(now: 1510)
        #expect(b.hasLeaseRequests)
        // One unit came back: the first buyer gets it, the second waits for the other.
        #expect(Self.answerLeases(b, granted: 1, pool: 0, elsewhere: 1, at: 1511) == [2])
        #expect(Self.resolutions(b) == ["reserved"])
        #expect(b.parkedCount == 1)
        // Nothing leased elsewhere any more and the pool is empty: sold out, at once for newcomers.
        b.pollTail(now: 1521)
        Self.answerLeases(b, granted: 0, pool: 0, elsewhere: 0, at: 1521)
        #expect(Self.resolutions(b) == ["soldOut"])
        #expect(f.buy("b2", at: 1522, shard: b) == .soldOut)
        #expect(!b.hasLeaseRequests)
    }

    @Test func tailWaitIsBoundedByTheParkTimeout() throws {
        let f = try Fixture(stock: 10, limit: 1, ends: 10_000)
        #expect(f.buy("a", at: 1500).kind == "parked")
        Self.answerLeases(f.shard, granted: 0, pool: 0, elsewhere: 3, at: 1500)
        f.shard.expireParked(now: 1749)
        #expect(Self.resolutions(f.shard).isEmpty)
        f.shard.expireParked(now: 1750)  // parkTimeoutMillis 250
        #expect(Self.resolutions(f.shard) == ["overloaded"])
        #expect(f.shard.parkedCount == 0)
    }

    @Test func aQuantityAboveWhatIsLeasedElsewhereIsSoldOut() throws {
        let f = try Fixture(stock: 10, limit: 5, ends: 10_000)
        #expect(f.buy("a", qty: 3, at: 1500).kind == "parked")
        Self.answerLeases(f.shard, granted: 0, pool: 0, elsewhere: 2, at: 1500)
        #expect(Self.resolutions(f.shard) == ["soldOut"])
        #expect(f.buy("b", qty: 2, at: 1501).kind == "parked")
    }

    /// Worker A holds 2 units with the pool empty; worker B starves for them.
    @Test func aSiblingHandsBackItsTailSliceOnDemand() throws {
        let f = try Fixture(stock: 10, limit: 1, ends: 10_000)
        let b = WorkerShard(process: f.core, workerIndex: 1)
        #expect(f.buy("a0", at: 1500).kind == "parked")
        Self.answerLeases(f.shard, granted: 3, pool: 0, elsewhere: 0, at: 1500)
        #expect(Self.resolutions(f.shard) == ["reserved"])
        #expect(f.shard.slice(of: f.handle) == 2)
        var returned: [LeaseReturn] = []
        f.shard.returnTailSlices(now: 1520) { returned.append($0) }
        #expect(returned.isEmpty, "neither idle nor wanted yet")

        #expect(f.buy("b0", at: 1530, shard: b).kind == "parked")
        Self.answerLeases(b, granted: 0, pool: 0, elsewhere: 2, at: 1530)
        f.shard.returnTailSlices(now: 1531) { returned.append($0) }
        #expect(returned.map(\.units) == [2], "a sibling starved after A's last sale")
        #expect(f.shard.slice(of: f.handle) == 0)
        // The units are in the pool again: B's next poll gets one.
        b.pollTail(now: 1540)
        Self.answerLeases(b, granted: 1, pool: 1, elsewhere: 0, at: 1540)
        #expect(Self.resolutions(b) == ["reserved"])
        // A has buyers again: its pool estimate says 2, so it leases instead of refusing.
        #expect(f.buy("a1", at: 1541).kind == "parked")
        #expect(f.shard.hasLeaseRequests)
    }

    @Test func anIdleTailSliceGoesBackButNotBeforeTheTailOrWithParkedBuyers() throws {
        let f = try Fixture(stock: 1000, limit: 1, ends: 10_000)
        #expect(f.buy("a0", at: 1500).kind == "parked")
        // Plenty left in the pool: not the tail, an idle slice stays (the 30 s idle return applies).
        Self.answerLeases(f.shard, granted: 5, pool: 500, elsewhere: 0, at: 1500)
        _ = Self.resolutions(f.shard)
        var returned: [LeaseReturn] = []
        f.shard.returnTailSlices(now: 5000) { returned.append($0) }
        #expect(returned.isEmpty)
        // The pool is down to the tail (pool / shareDivisor < minLease): idle 50 ms -> back.
        f.shard.notePoolRemaining(3, of: f.handle, now: 5000)
        f.shard.returnTailSlices(now: 5000) { returned.append($0) }
        #expect(returned.map(\.units) == [4])
        #expect(f.shard.slice(of: f.handle) == 0)

        // A slice granted just now is not idle; one with a parked buyer is never returned.
        #expect(f.buy("a1", qty: 1, at: 6000).kind == "parked")
        Self.answerLeases(f.shard, granted: 1, pool: 0, elsewhere: 0, at: 6000)
        #expect(Self.resolutions(f.shard) == ["reserved"])
        f.shard.setSlice(1, of: f.handle, poolRemaining: 0, now: 6000)
        f.shard.returnTailSlices(now: 6049) { returned.append($0) }
        #expect(returned.count == 1)
        f.shard.returnTailSlices(now: 6050) { returned.append($0) }
        #expect(returned.map(\.units) == [4, 1])
    }

    @Test func tailPolicy() {
        let policy = LeasePolicy()
        #expect(policy.tailPollMillis == 10 && policy.tailIdleReturnMillis == 50)
        #expect(policy.isTail(poolRemaining: 0) && policy.isTail(poolRemaining: 15))
        #expect(!policy.isTail(poolRemaining: 16))
    }
}
