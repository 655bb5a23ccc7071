import FlashSaleCore

/// A process core with one sale and one worker, for the example-based tests.
struct Fixture {
    let core: ProcessCore
    let shard: WorkerShard
    let handle: SKUHandle

    init(
        stock: Int = 10, limit: Int = 2, starts: Int64 = 1000, ends: Int64 = 2000, ttl: Int64 = 100,
        configuration: CoreConfiguration = CoreConfiguration(instance: 1, hashSeed: 99)
    ) throws {
        core = ProcessCore(configuration: configuration)
        _ = try core.sales.install(SaleConfig(
            name: "sale", startsAtMillis: starts, endsAtMillis: ends, perUserLimit: limit, reservationTTLMillis: ttl,
            items: [SaleItem(sku: "sku", stock: stock)]))
        shard = WorkerShard(process: core, workerIndex: 0)
        handle = core.sales.skuHandle(sale: "sale", sku: "sku")!
    }

    func buy(_ user: String, qty: Int = 1, key: String? = nil, at now: Int64 = 1500, shard other: WorkerShard? = nil)
        -> PurchaseDecision
    {
        (other ?? shard).purchase(sale: "sale", sku: "sku", user: user, qty: qty, idempotencyKey: key, now: now)
    }

    /// Grants every wanted lease from `pool`; returns the parked resolutions.
    @discardableResult
    func grant(from pool: inout Int, at now: Int64 = 1500, shard other: WorkerShard? = nil)
        -> [(ParkTicket, PurchaseDecision)]
    {
        let shard = other ?? self.shard
        var requests: [LeaseRequest] = []
        shard.drainLeaseRequests { requests.append($0) }
        for request in requests {
            let granted = min(pool, request.units)
            pool -= granted
            shard.leaseGranted(request.sku, granted: granted, poolRemaining: pool, now: now)
        }
        var resolved: [(ParkTicket, PurchaseDecision)] = []
        shard.drainParkedResolutions { resolved.append(($0, $1)) }
        return resolved
    }

    /// Buys once, granting a lease if the purchase parks.
    func buyNow(_ user: String, qty: Int = 1, key: String? = nil, at now: Int64 = 1500, pool: inout Int)
        -> PurchaseDecision
    {
        let first = buy(user, qty: qty, key: key, at: now)
        guard case .parked(let ticket) = first else { return first }
        return grant(from: &pool, at: now).first { $0.0 == ticket }?.1 ?? first
    }
}

/// Where the model and the simulated Redis keep an idempotency record: sale slot, user, key.
struct IdemKey: Hashable {
    let sale: UInt32
    let user: String
    let key: String
}
