import FlashSaleHTTP
import FlashSaleWorker
import Foundation
import Testing

/// The engine's side of lease liveness and `--ack replicated`, in process over the store
/// double (the scripts and the real Redis are in FlashSaleRedisTests and the e2e tests).
@Suite(.serialized) struct LeaseLivenessInProcessTests {
    @Test func aReapedWorkerDropsItsSliceAndLeasesAgain() {
        let api = InProcessAPI { $0.leaseGraceMillis = 300 }
        #expect(api.putLiveSale("s1", items: [("a", 100)])?.status == 201)
        #expect(api.purchase(sale: "s1", user: "u1", sku: "a")?.status == 201)
        #expect(waitUntil { api.unitsInSlices > 0 })
        #expect(api.withStore { $0.holders["s1"]?["test-node/0"] != nil }, "the grant recorded the holder")
        // Its beats keep it a holder past the grace.
        Thread.sleep(forTimeInterval: 0.5)
        #expect(api.withStore { $0.holders["s1"]?["test-node/0"] != nil })

        // Another node's reaper takes its lease (as if it had been paused past the grace).
        let reaped = api.withStore { $0.reapHolder(sale: "s1", worker: "test-node/0") }
        #expect(reaped > 0)
        #expect(waitUntil { api.stats.holderLost == 1 }, "the beat found it reaped")
        #expect(api.unitsInSlices == 0, "its slice is dropped: Redis wins")
        #expect(api.stats.unitsDroppedAfterReap == Int(reaped))

        // The next purchase leases again and sells from the pool.
        #expect(api.purchase(sale: "s1", user: "u2", sku: "a")?.status == 201)
        #expect(api.storedOrders.count == 2)
        let (pool, leased) = api.withStore { store in
            (store.pools["s1/a"] ?? 0, store.leases["s1/a"]?.values.reduce(0, +) ?? 0)
        }
        #expect(pool + leased + 2 == 100, "conservation: pool \(pool) + leases \(leased) + 2 sold")
        #expect(api.withStore { $0.holders["s1"]?["test-node/0"] != nil }, "a holder again")
    }

    @Test func replicatedAnswersOnlyWhenReplicasConfirmed() {
        let api = InProcessAPI(ackMode: .replicated) { $0.ackReplicas = 1 }
        #expect(api.putLiveSale("s1", items: [("a", 10)])?.status == 201)
        #expect(api.purchase(sale: "s1", user: "u0", sku: "a")?.status == 201)
        #expect(api.withStore { $0.replicaWaits } >= 1)

        api.withStore { $0.replicasAvailable = 0 }
        let short = api.purchase(sale: "s1", user: "u1", sku: "a", key: "k1")
        #expect(short?.status == 503)
        #expect(short?.errorCode == APIErrorCode.overloaded.text)
        #expect(short?.headers["retry-after"] != nil)
        #expect(api.storedOrders.count == 2, "the master has the order; its outcome is unknown to the buyer")
        #expect(api.stats.replicaWaitsShort >= 1)

        api.withStore { $0.replicasAvailable = 1 }
        let retried = api.purchase(sale: "s1", user: "u1", sku: "a", key: "k1")
        #expect(retried?.status == 201, "the same Idempotency-Key returns the order")
        let id = retried?.json["order_id"] as? String ?? ""
        #expect(api.storedOrders[id] != nil)
        #expect(api.purchase(sale: "s1", user: "u2", sku: "a")?.status == 201)
        #expect(api.storedOrders.count == 3)
    }

    @Test func aWaitAnsweredBeforeItsFlushConfirmsNothing() {
        let api = InProcessAPI(ackMode: .replicated) { $0.ackReplicas = 1 }
        #expect(api.putLiveSale("s1", items: [("a", 10)])?.status == 201)
        // The replicas are there, but the WAIT ran before the flush's effects.
        api.withStore { $0.waitAnswersBeforeFlush = true }
        let early = api.purchase(sale: "s1", user: "u1", sku: "a", key: "k1")
        #expect(early?.status == 503, "a WAIT that ran before the flush vouches for nothing")
        #expect(api.stats.replicaWaitsShort >= 1)
        api.withStore { $0.waitAnswersBeforeFlush = false }
        #expect(api.purchase(sale: "s1", user: "u1", sku: "a", key: "k1")?.status == 201, "the same key, confirmed")
    }
}
