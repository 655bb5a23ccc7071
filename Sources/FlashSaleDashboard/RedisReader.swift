import FlashSaleLoop
import FlashSaleRedis

/// Reads the documented schema (through ``FlashSaleKeys``) with the async
/// router on the dashboard's loop (one Redis, or every master of a Redis Cluster: each
/// sale is read on the master owning its slot), and never writes. Loop thread only.
///
/// One read: `TIME`, `fs:schema`, each sale's SKU list, each node hash; then,
/// per sale, one `MULTI` … `EXEC` holding the sale hash and, per SKU, the pool,
/// the leases and the counters (so the conservation check compares counters
/// of one instant), plus the holders, the dead letters and the relay group.
/// Sales (`fs:{*}:sale`) and nodes (`fs:node:*`) are found with `SCAN` (of every master): on
/// every read while the keyspace is small (at most ``smallKeyspace`` keys, a
/// pass of a few milliseconds), else every ``rescanMillis`` (a full pass over
/// millions of order keys is not a once-a-second job).
final class RedisReader {
    let client: RedisRouter
    /// At most this many sales are read per second (the first ones by name).
    let maxSales: Int
    let rescanMillis: UInt64
    /// Up to this many keys (`DBSIZE`, summed over the masters), sales and nodes are rediscovered on every read.
    static let smallKeyspace: Int64 = 50_000
    private var keyspace: Int64 = 0
    /// Sales beyond ``maxSales`` at the last rescan.
    private(set) var salesNotRead = 0
    private var sales: [String] = []
    private var nodeKeys: [String] = []
    private var lastRescan: UInt64?
    private var busy = false

    init(client: RedisRouter, maxSales: Int, rescanMillis: UInt64) {
        self.client = client
        self.maxSales = maxSales
        self.rescanMillis = rescanMillis
    }

    /// One read; `completion` runs once, on the loop. A read still running is not doubled (the call is dropped).
    func read(_ completion: @escaping (Result<Reading, RedisError>) -> Void) {
        guard !busy else { return }
        busy = true
        let now = client.loop.nowMillis
        let finish: (Result<Reading, RedisError>) -> Void = { [unowned self] result in
            busy = false
            if case .failure = result { lastRescan = nil }  // rescan after an outage
            completion(result)
        }
        if let last = lastRescan, keyspace > Self.smallKeyspace, now - last < rescanMillis {
            readAll(finish)
            return
        }
        client.scanEveryMaster(match: FlashSaleKeys.saleHashPattern, count: 2000) { [unowned self] saleKeys in
            switch saleKeys {
            case .failure(let error): finish(.failure(error))
            case .success(let saleKeys):
                client.scanEveryMaster(match: FlashSaleKeys.nodePattern, count: 2000) { [unowned self] nodes in
                    switch nodes {
                    case .failure(let error): finish(.failure(error))
                    case .success(let nodes):
                        let names = saleKeys.compactMap(FlashSaleKeys.sale(ofSaleHashKey:)).filter(FlashSaleKeys.isValidIdentifier).sorted()
                        sales = Array(names.prefix(maxSales))
                        salesNotRead = names.count - sales.count
                        nodeKeys = nodes
                        lastRescan = now
                        readAll(finish)
                    }
                }
            }
        }
    }

    /// Forces the next read to rescan (e.g. after a sale was not found).
    func rescanSoon() { lastRescan = nil }

    private func readAll(_ completion: @escaping (Result<Reading, RedisError>) -> Void) {
        let sales = self.sales
        let nodeKeys = self.nodeKeys
        var first: [[String]] = [["TIME"], ["GET", FlashSaleKeys.schema]]
        for sale in sales { first.append(["HGET", FlashSaleKeys(sale: sale).saleHash, "skus"]) }
        for key in nodeKeys {
            first.append(["HGETALL", key])
            first.append(["TTL", key])
        }
        client.sendToEveryMaster(["DBSIZE"]) { [unowned self] sizes in
            keyspace = sizes.reduce(0) { $0 + ((try? $1.get())?.int ?? 0) }
        }
        client.sendPipeline(first) { [unowned self] replies in
            if let error = Self.firstError(replies) { return completion(.failure(error)) }
            let time = (try? replies[0].get())?.elements ?? []
            let now = (time.first?.int ?? 0) * 1000 + (time.count > 1 ? (time[1].int ?? 0) / 1000 : 0)
            let schema = (try? replies[1].get())?.string
            var skuLists: [[String]] = []
            for index in sales.indices {
                let text = (try? replies[2 + index].get())?.string ?? ""
                skuLists.append(text.split(separator: ",").map(String.init).filter(FlashSaleKeys.isValidIdentifier))
            }
            var nodes: [NodeReading] = []
            for (index, key) in nodeKeys.enumerated() {
                let base = 2 + sales.count + 2 * index
                let fields = ((try? replies[base].get()) ?? .null).fieldPairs
                guard !fields.isEmpty, let id = FlashSaleKeys.nodeID(fromNodeKey: key) else { continue }
                nodes.append(NodeReading(
                    id: id,
                    fields: Dictionary(fields, uniquingKeysWith: { a, _ in a }),
                    ttlSeconds: (try? replies[base + 1].get())?.int ?? -1))
            }
            readSales(sales, skuLists) { result in
                completion(result.map { Reading(redisTimeMillis: now, schema: schema, sales: $0, nodes: nodes) })
            }
        }
    }

    /// Per sale one `MULTI` (on the sale's master): sale hash, per SKU (pool, leases, counts), holders, dead letters, relay group.
    private func readSales(_ sales: [String], _ skuLists: [[String]],
                           _ completion: @escaping (Result<[SaleReading], RedisError>) -> Void) {
        var commands: [[String]] = []
        var execIndex: [Int] = []
        for (sale, skus) in zip(sales, skuLists) {
            let keys = FlashSaleKeys(sale: sale)
            commands.append(["MULTI"])
            commands.append(["HGETALL", keys.saleHash])
            for sku in skus {
                commands.append(["GET", keys.pool(sku)])
                commands.append(["HVALS", keys.leases(sku)])
                commands.append(["HGETALL", keys.counts(sku)])
            }
            commands.append(["HGETALL", keys.holders])
            commands.append(["XLEN", keys.deadLetters])
            commands.append(["XINFO", "GROUPS", keys.events])
            commands.append(["EXEC"])
            execIndex.append(commands.count - 1)
        }
        client.sendPipeline(commands) { replies in
            var out: [SaleReading] = []
            for (index, sale) in sales.enumerated() {
                switch replies[execIndex[index]] {
                case .failure(let error):
                    // A refused transaction (e.g. EXECABORT, NOPERM) is shown, not silently dropped.
                    return completion(.failure(error))
                case .success(let exec):
                    if let reading = Self.parseSale(sale, skus: skuLists[index], exec.elements) { out.append(reading) }
                }
            }
            completion(.success(out))
        }
    }

    /// The `EXEC` reply of one sale's transaction; nil when the sale hash is gone.
    static func parseSale(_ sale: String, skus: [String], _ items: [RedisValue]) -> SaleReading? {
        guard items.count == 4 + 3 * skus.count else { return nil }
        let config = items[0].fields
        guard !config.isEmpty else { return nil }
        var rows: [SKUReading] = []
        for (index, sku) in skus.enumerated() {
            let base = 1 + 3 * index
            let counts = items[base + 2].fields
            func count(_ field: String) -> Int64 { counts[field].flatMap { Int64($0) } ?? 0 }
            let rejections = counts.keys.filter { $0.hasPrefix("rejected_") }.sorted()
                .map { (reason: String($0.dropFirst("rejected_".count)), count: count($0)) }
            rows.append(SKUReading(
                sku: sku, total: count("total"), pool: items[base].int ?? 0,
                leased: items[base + 1].elements.reduce(0) { $0 + ($1.int ?? 0) },
                reserved: count("reserved"), paid: count("paid"), fulfilled: count("fulfilled"),
                cancelled: count("cancelled"), expired: count("expired"), rejections: rejections))
        }
        let tail = 1 + 3 * skus.count
        let holders = items[tail].fieldPairs.map { (worker: $0.0, beatMillis: Int64($0.1) ?? 0) }.sorted { $0.worker < $1.worker }
        let dead = items[tail + 1].int ?? 0
        var relay: RelayReading?
        for group in items[tail + 2].elements {
            let fields = group.fields
            guard fields["name"] == FlashSaleKeys.relayGroup else { continue }
            relay = RelayReading(lag: fields["lag"].flatMap { Int64($0) } ?? -1,
                                 pending: fields["pending"].flatMap { Int64($0) } ?? 0, deadLetters: dead)
        }
        if relay == nil && dead > 0 { relay = RelayReading(lag: -1, pending: 0, deadLetters: dead) }
        return SaleReading(
            sale: sale, startsAtMillis: config["starts_at"].flatMap { Int64($0) },
            endsAtMillis: config["ends_at"].flatMap { Int64($0) },
            perUserLimit: config["per_user_limit"].flatMap { Int64($0) }, skus: rows, holders: holders, relay: relay)
    }

    /// A transport error (Redis unreachable, timeout) among `replies`; server errors are per command.
    static func firstError(_ replies: [Result<RedisValue, RedisError>]) -> RedisError? {
        for reply in replies {
            if case .failure(let error) = reply {
                if case .server = error { continue }
                return error
            }
        }
        return nil
    }
}
