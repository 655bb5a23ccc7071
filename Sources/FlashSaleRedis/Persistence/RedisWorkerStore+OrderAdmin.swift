import FlashSaleCore
import FlashSaleWorker

extension RedisWorkerStore: OrderAdminStore {
    public func pay(
        orderID: String, in sales: [String], nowMillis: Int64,
        completion: @escaping (Result<(sale: String, outcome: PayOutcome)?, StoreError>) -> Void
    ) {
        locateSale(of: orderID, in: sales) { [unowned self] located in
            guard case .success(let sale?) = located else { return completion(located.map { _ in nil }) }
            self.client.run(FlashSaleScripts.payCall(sale: sale, orderID: orderID, nowMillis: nowMillis)) { result in
                completion(Self.read(result) { (sale, try PayOutcome.parse($0)) })
            }
        }
    }

    public func cancel(
        orderID: String, user: String, in sales: [String], nowMillis: Int64,
        completion: @escaping (Result<(sale: String, outcome: CancelOutcome)?, StoreError>) -> Void
    ) {
        locateSale(of: orderID, in: sales) { [unowned self] located in
            guard case .success(let sale?) = located else { return completion(located.map { _ in nil }) }
            let call = FlashSaleScripts.cancelCall(sale: sale, orderID: orderID, user: user, nowMillis: nowMillis)
            self.client.run(call) { result in
                completion(Self.read(result) { (sale, try CancelOutcome.parse($0)) })
            }
        }
    }

    public func fulfil(
        orderID: String, carrier: String, tracking: String, in sales: [String], nowMillis: Int64,
        completion: @escaping (Result<(sale: String, outcome: FulfilOutcome)?, StoreError>) -> Void
    ) {
        locateSale(of: orderID, in: sales) { [unowned self] located in
            guard case .success(let sale?) = located else { return completion(located.map { _ in nil }) }
            let call = FlashSaleScripts.fulfilCall(
                sale: sale, orderID: orderID, carrier: carrier, tracking: tracking, nowMillis: nowMillis)
            self.client.run(call) { result in
                completion(Self.read(result) { (sale, try FulfilOutcome.parse($0)) })
            }
        }
    }

    public func order(orderID: String, in sales: [String], completion: @escaping (Result<OrderRecord?, StoreError>) -> Void) {
        guard FlashSaleKeys.isValidIdentifier(orderID), !sales.isEmpty else { return completion(.success(nil)) }
        client.sendAll(sales.map { ["HGET", FlashSaleKeys(sale: $0).orders, orderID] }) { results in
            for (sale, result) in zip(sales, results) {
                switch result {
                case .failure(let error): return completion(.failure(StoreError(error)))
                case .success(let value):
                    guard let packed = value.string else { continue }
                    guard let record = OrderRecord(sale: sale, orderID: orderID, packed: packed) else {
                        return completion(.failure(.badReply("order \(orderID) lacks fields")))
                    }
                    return completion(.success(record))
                }
            }
            completion(.success(nil))
        }
    }

    /// Which sale holds `orderID` (order ids are unique across sales): probes `sales`, all
    /// in one round trip. nil for an id of no sale (or of a shape no order has).
    private func locateSale(of orderID: String, in sales: [String], completion: @escaping (Result<String?, StoreError>) -> Void) {
        guard FlashSaleKeys.isValidIdentifier(orderID), !sales.isEmpty else { return completion(.success(nil)) }
        client.sendAll(sales.map { ["HEXISTS", FlashSaleKeys(sale: $0).orders, orderID] }) { results in
            for (sale, result) in zip(sales, results) {
                switch result {
                case .failure(let error): return completion(.failure(StoreError(error)))
                case .success(let value): if value.int == 1 { return completion(.success(sale)) }
                }
            }
            completion(.success(nil))
        }
    }
}
