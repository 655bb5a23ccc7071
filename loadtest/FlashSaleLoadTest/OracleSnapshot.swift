import FlashSaleRedis
import FlashSaleWorker

/// What Redis holds about one sale, read by the oracle.
public struct OracleSnapshot: Sendable {
    /// One SKU's counters, read together in one `MULTI`.
    public struct SKUState: Sendable {
        /// The SKU id.
        public var sku: String
        /// `fs:{S}:counts:{sku}`, every field (`total`, `reserved`, `paid`, `cancelled`, `expired`, `rejected_*`).
        public var counts: [String: Int64]
        /// `fs:{S}:pool:{sku}`.
        public var pool: Int64
        /// `fs:{S}:leases:{sku}`: worker → units.
        public var leases: [String: Int64]
        /// `fs:{S}:buyers:{sku}`: user → units held.
        public var buyers: [String: Int64]

        /// A counter (0 when absent).
        public func count(_ field: String) -> Int64 { counts[field] ?? 0 }
        /// Units leased to workers.
        public var leased: Int64 { leases.values.reduce(0, +) }
    }

    /// One order hash.
    public struct Order: Sendable {
        /// Order id (from the key).
        public var id: String
        /// Buyer.
        public var user: String
        /// SKU.
        public var sku: String
        /// Units.
        public var qty: Int64
        /// `reserved`, `paid`, `cancelled` or `expired`.
        public var status: String
        /// The buyer's Idempotency-Key ("" when none).
        public var idempotencyKey: String

        /// Whether the order holds units (reserved or paid).
        public var holdsUnits: Bool { status == "reserved" || status == "paid" || status == "fulfilled" }
    }

    /// The sale id.
    public var sale: String
    /// `fs:{S}:sale`.
    public var saleFields: [String: String]
    /// Units one user may hold per SKU (0 only when the sale hash lacks the field).
    public var perUserLimit: Int64
    /// Per SKU, in the sale's order.
    public var skus: [SKUState]
    /// Every order of the sale.
    public var orders: [Order]
    /// `fs:{S}:idem`: idempotency field → order id.
    public var idempotency: [String: String]

    /// Reads the sale through `redis`: counters, pools and leases of every
    /// SKU in one `MULTI`, then the buyers, the idempotency hash and every order.
    public static func read(sale: String, from redis: RedisCommandRunner) throws -> OracleSnapshot {
        let keys = FlashSaleKeys(sale: sale)
        let saleFields = try hash(redis.command(["HGETALL", keys.saleHash]))
        guard !saleFields.isEmpty else { throw OracleError.saleNotFound(sale) }
        var skuNames = (saleFields["skus"] ?? "").split(separator: ",").map(String.init)
        if skuNames.isEmpty { skuNames = try scanSKUs(keys: keys, redis: redis) }
        var skus = try readCounters(skuNames: skuNames, keys: keys, redis: redis)
        let buyerReplies = try redis.pipeline(skuNames.map { ["HGETALL", keys.buyers($0)] })
        for index in skus.indices {
            skus[index].buyers = try hash(buyerReplies[index]).compactMapValues { Int64($0) }
        }
        let idempotency = try hash(redis.command(["HGETALL", keys.idempotency]))
        let orders = try readOrders(keys: keys, redis: redis)
        return OracleSnapshot(
            sale: sale, saleFields: saleFields, perUserLimit: Int64(saleFields["per_user_limit"] ?? "") ?? 0,
            skus: skus, orders: orders, idempotency: idempotency)
    }

    /// Reads only the counters, pools and leases (one `MULTI`).
    static func readCounters(skuNames: [String], keys: FlashSaleKeys, redis: RedisCommandRunner) throws -> [SKUState] {
        var commands: [[String]] = []
        for sku in skuNames {
            commands.append(["HGETALL", keys.counts(sku)])
            commands.append(["GET", keys.pool(sku)])
            commands.append(["HGETALL", keys.leases(sku)])
        }
        let replies = try redis.transaction(commands)
        guard replies.count == commands.count else { throw OracleError.redis("MULTI returned \(replies.count) replies for \(commands.count) commands") }
        return try skuNames.enumerated().map { index, sku in
            SKUState(
                sku: sku,
                counts: try hash(replies[3 * index]).compactMapValues { Int64($0) },
                pool: replies[3 * index + 1].int ?? 0,
                leases: try hash(replies[3 * index + 2]).compactMapValues { Int64($0) },
                buyers: [:])
        }
    }

    /// Re-reads counters, pools and leases of this snapshot's SKUs.
    func rereadCounters(from redis: RedisCommandRunner) throws -> [SKUState] {
        var fresh = try OracleSnapshot.readCounters(skuNames: skus.map(\.sku), keys: FlashSaleKeys(sale: sale), redis: redis)
        for index in fresh.indices { fresh[index].buyers = skus[index].buyers }
        return fresh
    }

    private static func scanSKUs(keys: FlashSaleKeys, redis: RedisCommandRunner) throws -> [String] {
        let prefix = keys.counts("")
        return try scan(pattern: prefix + "*", redis: redis).map { String($0.dropFirst(prefix.count)) }.sorted()
    }

    /// Every packed record of `fs:{S}:orders` (`HSCAN`, so a large sale is read in pages).
    private static func readOrders(keys: FlashSaleKeys, redis: RedisCommandRunner) throws -> [Order] {
        var orders: [Order] = []
        var cursor = "0"
        repeat {
            let reply = try redis.command(["HSCAN", keys.orders, cursor, "COUNT", "2000"])
            if case .error(let message) = reply { throw OracleError.redis("HSCAN: \(message)") }
            let parts = reply.elements
            guard parts.count == 2, let next = parts[0].string else { throw OracleError.redis("unexpected HSCAN reply") }
            for (id, packed) in parts[1].fieldPairs {
                guard let record = OrderRecord(sale: keys.sale, orderID: id, packed: packed) else {
                    throw OracleError.redis("malformed order record \(id): \(packed)")
                }
                orders.append(Order(
                    id: id, user: record.user, sku: record.sku, qty: record.quantity, status: record.status,
                    idempotencyKey: record.fields["idem"] ?? ""))
            }
            cursor = next
        } while cursor != "0"
        return orders
    }

    static func scan(pattern: String, redis: RedisCommandRunner) throws -> [String] {
        do { return try redis.scan(match: pattern) } catch { throw OracleError.redis("SCAN: \(error)") }
    }

    static func hash(_ reply: RedisValue) throws -> [String: String] {
        if case .error(let message) = reply { throw OracleError.redis(message) }
        let items = reply.elements
        var out: [String: String] = [:]
        out.reserveCapacity(items.count / 2)
        var index = 0
        while index + 1 < items.count {
            if let field = items[index].string, let value = items[index + 1].string { out[field] = value }
            index += 2
        }
        return out
    }
}
