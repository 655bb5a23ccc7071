import FlashSaleCore
import FlashSaleLoop

/// The low-rate calls that go straight to the store (pay, cancel, reads, sale upsert);
/// the engine keeps the process's ledger and sale directory in step with what the store
/// did. Each completion runs once, on the loop thread.
extension WorkerEngine {
    /// Pays a reservation (`POST /v1/orders/{id}/pay`), fenced against expiry and
    /// cancellation. An unknown id is `.notFound`.
    public func pay(orderID: String, completion: @escaping (Result<PayOutcome, StoreError>) -> Void) {
        store.pay(orderID: orderID, in: process.sales.saleNames, nowMillis: EventLoop.wallClockMillis()) {
            [unowned self] result in
            completion(result.map { located in
                guard let (sale, outcome) = located else { return .notFound }
                if case .expiredNow(let released) = outcome { self.releaseInLedger(sale: sale, released) }
                return outcome
            })
        }
    }

    /// Cancels `user`'s reservation (`POST /v1/orders/{id}/cancel`); the units go back to
    /// the pool. Someone else's order is `.notFound`.
    public func cancel(orderID: String, user: String, completion: @escaping (Result<CancelOutcome, StoreError>) -> Void) {
        store.cancel(orderID: orderID, user: user, in: process.sales.saleNames, nowMillis: EventLoop.wallClockMillis()) {
            [unowned self] result in
            completion(result.map { located in
                guard let (sale, outcome) = located else { return .notFound }
                switch outcome {
                case .cancelled(let released), .expiredNow(let released): self.releaseInLedger(sale: sale, released)
                default: break
                }
                return outcome
            })
        }
    }

    /// Marks a paid order fulfilled (`POST /v1/orders/{id}/fulfil`): shipped with
    /// `carrier` under `tracking`. An unknown id is `.notFound`; no unit moves.
    public func fulfil(
        orderID: String, carrier: String, tracking: String, completion: @escaping (Result<FulfilOutcome, StoreError>) -> Void
    ) {
        store.fulfil(orderID: orderID, carrier: carrier, tracking: tracking, in: process.sales.saleNames,
                     nowMillis: EventLoop.wallClockMillis()) { result in
            completion(result.map { $0?.outcome ?? .notFound })
        }
    }

    /// Reads an order (`GET /v1/orders/{id}`); nil when the store has no such order.
    public func order(orderID: String, completion: @escaping (Result<OrderRecord?, StoreError>) -> Void) {
        store.order(orderID: orderID, in: process.sales.saleNames, completion: completion)
    }

    /// Creates or updates a sale (`PUT /v1/sales/{sale}`): the core validates it, the
    /// store decides against what it holds (409 once live), then the sale is installed in
    /// this process's core (other nodes pick it up within `saleSyncIntervalMillis`).
    public func upsertSale(_ sale: SaleConfig, completion: @escaping (Result<SaleUpsertOutcome, StoreError>) -> Void) {
        if let problem = sale.validate() { return completion(.failure(.invalid(problem.message))) }
        store.upsertSale(sale, nowMillis: EventLoop.wallClockMillis()) { [unowned self] result in
            switch result {
            case .success(.created), .success(.updated), .success(.unchanged):
                self.sales.reload(sale.name) { completion(result) }
            default:
                completion(result)
            }
        }
    }

    /// Adds (`delta` > 0) or removes stock of a SKU, also while the sale is live
    /// (`POST /v1/sales/{sale}/items/{sku}/stock`): `total` and the pool at once, never
    /// above `SaleConfig.maxStock`. This node and the others pick the new total up with the
    /// sale's revision (within `saleSyncIntervalMillis`); the units themselves reach them
    /// through leases from the pool.
    public func changeStock(
        sale: String, sku: String, delta: Int64, completion: @escaping (Result<StockChangeOutcome, StoreError>) -> Void
    ) {
        store.changeStock(sale: sale, sku: sku, delta: delta, maximum: Int64(SaleConfig.maxStock),
                          nowMillis: EventLoop.wallClockMillis(), completion: completion)
    }

    /// Reads a sale and each SKU's available units (`GET /v1/sales/{sale}`); nil if unknown.
    public func sale(_ name: String, completion: @escaping (Result<SaleSnapshot?, StoreError>) -> Void) {
        store.sale(name, nowMillis: EventLoop.wallClockMillis(), completion: completion)
    }
}
