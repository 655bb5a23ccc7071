import FlashSaleCore
import FlashSaleLoop

extension WorkerPersistence {
    /// Pays a reservation (`POST /v1/orders/{id}/pay`), fenced against expiry and
    /// cancellation by the pay script. An unknown or malformed id is `.notFound`.
    public func pay(orderID: String, completion: @escaping (Result<PayOutcome, PersistenceError>) -> Void) {
        locateSale(of: orderID) { [unowned self] located in
            switch located {
            case .failure(let error): completion(.failure(error))
            case .success(nil): completion(.success(.notFound))
            case .success(let sale?):
                let call = FlashSaleScripts.payCall(sale: sale, orderID: orderID, nowMillis: EventLoop.wallClockMillis())
                self.client.run(call) { [unowned self] result in
                    let outcome = WorkerPersistence.parse(result) { try PayOutcome.parse($0) }
                    if case .success(.expiredNow(let released)) = outcome { self.releaseInLedger(sale: sale, released) }
                    completion(outcome)
                }
            }
        }
    }

    /// Cancels `user`'s reservation (`POST /v1/orders/{id}/cancel`); the units go back
    /// to the pool. Someone else's order is `.notFound`.
    public func cancel(orderID: String, user: String, completion: @escaping (Result<CancelOutcome, PersistenceError>) -> Void) {
        locateSale(of: orderID) { [unowned self] located in
            switch located {
            case .failure(let error): completion(.failure(error))
            case .success(nil): completion(.success(.notFound))
            case .success(let sale?):
                let call = FlashSaleScripts.cancelCall(
                    sale: sale, orderID: orderID, user: user, nowMillis: EventLoop.wallClockMillis())
                self.client.run(call) { [unowned self] result in
                    let outcome = WorkerPersistence.parse(result) { try CancelOutcome.parse($0) }
                    switch outcome {
                    case .success(.cancelled(let released)), .success(.expiredNow(let released)):
                        self.releaseInLedger(sale: sale, released)
                    default: break
                    }
                    completion(outcome)
                }
            }
        }
    }

    /// Reads an order (`GET /v1/orders/{id}`); nil when Redis has no such order.
    public func order(orderID: String, completion: @escaping (Result<OrderRecord?, PersistenceError>) -> Void) {
        guard FlashSaleKeys.isValidIdentifier(orderID) else { return completion(.success(nil)) }
        let sales = process.sales.saleNames
        guard !sales.isEmpty else { return completion(.success(nil)) }
        client.sendAll(sales.map { ["HGETALL", FlashSaleKeys(sale: $0).order(orderID)] }) { results in
            for (sale, result) in zip(sales, results) {
                switch result {
                case .failure(let error): return completion(.failure(.unavailable(error)))
                case .success(let value):
                    let fields = WorkerPersistence.hashFields(value)
                    guard !fields.isEmpty else { continue }
                    guard let record = OrderRecord(sale: sale, orderID: orderID, fields: fields) else {
                        return completion(.failure(.badReply("order \(orderID) lacks fields")))
                    }
                    return completion(.success(record))
                }
            }
            completion(.success(nil))
        }
    }

    /// Creates or updates a sale (`PUT /v1/sales/{sale}`): the upsert script decides
    /// against Redis (409 once live), then the sale is installed in this process's core
    /// and listed in `fs:sales` (other nodes pick it up within `saleSyncIntervalMillis`).
    public func upsertSale(_ sale: SaleDefinition, completion: @escaping (Result<SaleUpsertOutcome, PersistenceError>) -> Void) {
        guard FlashSaleKeys.isValidIdentifier(sale.sale) else {
            return completion(.failure(.invalid("sale id must be 1-128 characters of A-Z a-z 0-9 . _ - : /")))
        }
        if let bad = sale.items.first(where: { !FlashSaleKeys.isValidIdentifier($0.sku) }) {
            return completion(.failure(.invalid("sku \"\(bad.sku)\" must be 1-128 characters of A-Z a-z 0-9 . _ - : /")))
        }
        guard sale.perUserLimit >= 0, sale.perUserLimit <= Int64(SaleConfig.maxPerUserLimit) else {
            return completion(.failure(.invalid("per_user_limit must be 0 (no limit) to \(SaleConfig.maxPerUserLimit)")))
        }
        let config = WorkerPersistence.saleConfig(sale)
        if let problem = config.validate() { return completion(.failure(.invalid(problem.message))) }
        let call = FlashSaleScripts.saleUpsertCall(sale, nowMillis: EventLoop.wallClockMillis())
        client.run(call) { [unowned self] result in
            let outcome = WorkerPersistence.parse(result) { try SaleUpsertOutcome.parse($0) }
            switch outcome {
            case .success(.created), .success(.updated), .success(.unchanged):
                _ = try? self.process.sales.install(config)
                self.client.send(["SADD", WorkerPersistence.salesIndexKey, sale.sale]) { _ in
                    completion(outcome)
                }
            default:
                completion(outcome)
            }
        }
    }

    /// Reads a sale and each SKU's available units (`GET /v1/sales/{sale}`); nil if unknown.
    public func sale(_ name: String, completion: @escaping (Result<SaleSnapshot?, PersistenceError>) -> Void) {
        guard FlashSaleKeys.isValidIdentifier(name) else { return completion(.success(nil)) }
        let keys = FlashSaleKeys(sale: name)
        client.send(["HGETALL", keys.saleHash]) { [unowned self] result in
            let fields: [String: String]
            switch result {
            case .failure(let error): return completion(.failure(.unavailable(error)))
            case .success(let value): fields = WorkerPersistence.hashFields(value)
            }
            guard !fields.isEmpty else { return completion(.success(nil)) }
            let skus = (fields["skus"] ?? "").split(separator: ",").map(String.init)
            self.client.sendAll(skus.map { ["HMGET", keys.counts($0), "total", "reserved", "paid"] }) { results in
                var items: [SaleSnapshot.Item] = []
                for (sku, result) in zip(skus, results) {
                    guard case .success(let value) = result else {
                        if case .failure(let error) = result { return completion(.failure(.unavailable(error))) }
                        continue
                    }
                    let counts = value.elements.map { $0.int ?? 0 }
                    guard counts.count == 3 else { return completion(.failure(.badReply("counts of \(sku)"))) }
                    items.append(SaleSnapshot.Item(sku: sku, stock: counts[0], available: max(0, counts[0] - counts[1] - counts[2])))
                }
                guard let starts = fields["starts_at"].flatMap({ Int64($0) }), let ends = fields["ends_at"].flatMap({ Int64($0) })
                else { return completion(.failure(.badReply("sale \(name) lacks its schedule"))) }
                let state = SaleState.at(now: EventLoop.wallClockMillis(), startsAtMillis: starts, endsAtMillis: ends,
                                         anyAvailable: items.contains { $0.available > 0 }).rawValue
                completion(.success(SaleSnapshot(
                    sale: name, state: state, startsAtMillis: starts, endsAtMillis: ends,
                    perUserLimit: fields["per_user_limit"].flatMap { Int64($0) } ?? 0,
                    reservationTTLSeconds: fields["reservation_ttl_s"].flatMap { Int64($0) } ?? 0, items: items)))
            }
        }
    }

    // MARK: helpers

    /// Which sale holds `orderID` (order ids are unique across sales): probes the sales
    /// this process knows, all in one round trip.
    func locateSale(of orderID: String, completion: @escaping (Result<String?, PersistenceError>) -> Void) {
        guard FlashSaleKeys.isValidIdentifier(orderID) else { return completion(.success(nil)) }
        let sales = process.sales.saleNames
        guard !sales.isEmpty else { return completion(.success(nil)) }
        client.sendAll(sales.map { ["EXISTS", FlashSaleKeys(sale: $0).order(orderID)] }) { results in
            for (sale, result) in zip(sales, results) {
                switch result {
                case .failure(let error): return completion(.failure(.unavailable(error)))
                case .success(let value): if value.int == 1 { return completion(.success(sale)) }
                }
            }
            completion(.success(nil))
        }
    }

    /// Redis released a reservation (cancel, expiry): the process's ledger follows.
    func releaseInLedger(sale: String, _ released: ReleasedOrder) {
        guard let handle = process.sales.skuHandle(sale: sale, sku: released.sku) else { return }
        process.ledger.release(Int(released.quantity), sku: handle, user: released.user)
    }

    static func parse<T>(_ result: Result<RedisValue, RedisError>, _ body: (RedisValue) throws -> T) -> Result<T, PersistenceError> {
        switch result {
        case .failure(.server(let message)): return .failure(.badReply(message))
        case .failure(let error): return .failure(.unavailable(error))
        case .success(let value):
            do { return .success(try body(value)) } catch { return .failure(.badReply("\(error)")) }
        }
    }

    static func saleConfig(_ sale: SaleDefinition) -> SaleConfig {
        SaleConfig(
            name: sale.sale, startsAtMillis: sale.startsAtMillis, endsAtMillis: sale.endsAtMillis,
            perUserLimit: sale.perUserLimit == 0 ? SaleConfig.maxPerUserLimit : Int(sale.perUserLimit),
            reservationTTLMillis: sale.reservationTTLSeconds * 1000,
            items: sale.items.map { SaleItem(sku: $0.sku, stock: Int($0.stock)) })
    }
}
