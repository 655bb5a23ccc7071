import FlashSaleCore
import FlashSaleWorker

extension RedisWorkerStore: SaleStore {
    public func loadSales(
        changedFrom revisions: [String: String],
        completion: @escaping (Result<(sales: [StoredSale], complete: Bool), StoreError>) -> Void
    ) {
        client.send(["SMEMBERS", FlashSaleKeys.sales]) { [unowned self] result in
            guard case .success(let reply) = result else {
                if case .failure(let error) = result { completion(.failure(StoreError(error))) }
                return
            }
            let names = reply.elements.compactMap(\.string).filter(IdentifierRules.isValidName)
            self.client.sendAll(names.map { ["HGETALL", FlashSaleKeys(sale: $0).saleHash] }) { [unowned self] results in
                var changed: [(String, [String: String])] = []
                var complete = true
                for (name, result) in zip(names, results) {
                    guard case .success(let value) = result else {
                        complete = false
                        continue
                    }
                    let fields = value.fields
                    // A sale of another schema (v1, before `flashsale migrate`) is not served.
                    guard !fields.isEmpty, FlashSaleKeys.servedSaleSchemas.contains(fields["schema"] ?? "") else { continue }
                    if fields["revision"] != revisions[name] || revisions[name] == nil { changed.append((name, fields)) }
                }
                self.loadTotals(changed) { sales, allRead in
                    completion(.success((sales, complete && allRead)))
                }
            }
        }
    }

    /// Reads each SKU's `total` and builds the core's configurations.
    private func loadTotals(_ sales: [(String, [String: String])], completion: @escaping ([StoredSale], Bool) -> Void) {
        guard !sales.isEmpty else { return completion([], true) }
        var commands: [[String]] = []
        var skusPerSale: [[String]] = []
        for (name, fields) in sales {
            let skus = (fields["skus"] ?? "").split(separator: ",").map(String.init)
            skusPerSale.append(skus)
            let keys = FlashSaleKeys(sale: name)
            for sku in skus { commands.append(["HGET", keys.counts(sku), "total"]) }
        }
        client.sendAll(commands) { results in
            var complete = true
            var loaded: [StoredSale] = []
            var index = 0
            for ((name, fields), skus) in zip(sales, skusPerSale) {
                var items: [SaleItem] = []
                for sku in skus {
                    let total = (try? results[index].get())?.int
                    index += 1
                    if let total {
                        items.append(SaleItem(sku: sku, stock: Int(total), price: Self.price(of: sku, in: fields)))
                    } else {
                        complete = false
                    }
                }
                guard items.count == skus.count, let config = Self.saleConfig(name: name, fields: fields, items: items)
                else { continue }
                loaded.append(StoredSale(config: config, revision: fields["revision"] ?? ""))
            }
            completion(loaded, complete)
        }
    }

    /// The core's configuration of a sale from its `fs:{S}:sale` hash; nil when a field
    /// is missing or the sale does not validate.
    static func saleConfig(name: String, fields: [String: String], items: [SaleItem]) -> SaleConfig? {
        guard let starts = fields["starts_at"].flatMap({ Int64($0) }), let ends = fields["ends_at"].flatMap({ Int64($0) }),
            let limit = fields["per_user_limit"].flatMap({ Int($0) }), let ttl = fields["reservation_ttl_s"].flatMap({ Int64($0) })
        else { return nil }
        let config = SaleConfig(
            name: name, startsAtMillis: starts, endsAtMillis: ends, perUserLimit: limit,
            reservationTTLMillis: ttl * 1000, items: items, currency: fields["currency"] ?? CurrencyCode.none,
            orderIDSalt: fields["id_salt"].flatMap(OrderIDSalt.init(hex:)))
        return config.validate() == nil ? config : nil
    }

    /// `price:{sku}` of a sale hash (minor units; absent: 0, a sale without prices).
    static func price(of sku: String, in fields: [String: String]) -> Int64 {
        fields["price:" + sku].flatMap { Int64($0) } ?? 0
    }

    public func upsertSale(
        _ sale: SaleConfig, nowMillis: Int64, completion: @escaping (Result<SaleUpsertOutcome, StoreError>) -> Void
    ) {
        // The script touches the sale's slot only; the global keys get commands of their own
        // (on a cluster they live in other slots).
        client.run(FlashSaleScripts.saleUpsertCall(sale, nowMillis: nowMillis, setsSchemaKey: false)) { [unowned self] result in
            let outcome = Self.read(result) { try SaleUpsertOutcome.parse($0) }
            switch outcome {
            case .success(.created), .success(.updated), .success(.unchanged):
                self.client.sendAll([
                    ["SET", FlashSaleKeys.schema, String(FlashSaleKeys.schemaVersion)],
                    ["SADD", FlashSaleKeys.sales, sale.name],
                ]) { _ in completion(outcome) }
            default:
                completion(outcome)
            }
        }
    }

    public func changeStock(
        sale: String, sku: String, delta: Int64, maximum: Int64, nowMillis: Int64,
        completion: @escaping (Result<StockChangeOutcome, StoreError>) -> Void
    ) {
        guard IdentifierRules.isValidName(sale) else { return completion(.success(.saleNotFound)) }
        guard IdentifierRules.isValidName(sku) else { return completion(.success(.skuNotFound)) }
        let call = FlashSaleScripts.stockChangeCall(sale: sale, sku: sku, delta: delta, maximum: maximum, nowMillis: nowMillis)
        client.run(call) { result in
            completion(Self.read(result) { try StockChangeOutcome.parse($0) })
        }
    }

    public func sale(_ name: String, nowMillis: Int64, completion: @escaping (Result<SaleSnapshot?, StoreError>) -> Void) {
        guard IdentifierRules.isValidName(name) else { return completion(.success(nil)) }
        let keys = FlashSaleKeys(sale: name)
        client.send(["HGETALL", keys.saleHash]) { [unowned self] result in
            let fields: [String: String]
            switch result {
            case .failure(let error): return completion(.failure(StoreError(error)))
            case .success(let value): fields = value.fields
            }
            guard !fields.isEmpty else { return completion(.success(nil)) }
            let skus = (fields["skus"] ?? "").split(separator: ",").map(String.init)
            self.client.sendAll(skus.map { ["HMGET", keys.counts($0), "total", "reserved", "paid"] }) { results in
                var items: [SaleSnapshot.Item] = []
                for (sku, result) in zip(skus, results) {
                    let value: RedisValue
                    switch result {
                    case .failure(let error): return completion(.failure(StoreError(error)))
                    case .success(let reply): value = reply
                    }
                    let counts = value.elements.map { $0.int ?? 0 }
                    guard counts.count == 3 else { return completion(.failure(.badReply("counts of \(sku)"))) }
                    items.append(SaleSnapshot.Item(
                        sku: sku, stock: counts[0], available: max(0, counts[0] - counts[1] - counts[2]),
                        price: Self.price(of: sku, in: fields)))
                }
                guard let starts = fields["starts_at"].flatMap({ Int64($0) }), let ends = fields["ends_at"].flatMap({ Int64($0) })
                else { return completion(.failure(.badReply("sale \(name) lacks its schedule"))) }
                let state = SaleState.at(now: nowMillis, startsAtMillis: starts, endsAtMillis: ends,
                                         anyAvailable: items.contains { $0.available > 0 }).rawValue
                completion(.success(SaleSnapshot(
                    sale: name, state: state, startsAtMillis: starts, endsAtMillis: ends,
                    perUserLimit: fields["per_user_limit"].flatMap { Int64($0) } ?? 0,
                    reservationTTLSeconds: fields["reservation_ttl_s"].flatMap { Int64($0) } ?? 0, items: items,
                    currency: fields["currency"] ?? CurrencyCode.none)))
            }
        }
    }
}
