/// The low-rate order calls that go straight to the store: pay, cancel, fulfil, read.
/// `sales` are the sales the node knows (order ids are unique across sales; the store
/// finds the one that holds the order).
public protocol OrderAdminStore: AnyObject {
    /// Pays a reservation, fenced against expiry and cancellation.
    func pay(orderID: String, in sales: [String], nowMillis: Int64,
             completion: @escaping (Result<(sale: String, outcome: PayOutcome)?, StoreError>) -> Void)
    /// Cancels `user`'s reservation; someone else's order is `.notFound`.
    func cancel(orderID: String, user: String, in sales: [String], nowMillis: Int64,
                completion: @escaping (Result<(sale: String, outcome: CancelOutcome)?, StoreError>) -> Void)
    /// Marks a paid order fulfilled (shipped with `carrier`, `tracking`); nil when no sale holds it.
    func fulfil(orderID: String, carrier: String, tracking: String, in sales: [String], nowMillis: Int64,
                completion: @escaping (Result<(sale: String, outcome: FulfilOutcome)?, StoreError>) -> Void)
    /// Reads an order; nil when no sale holds it.
    func order(orderID: String, in sales: [String], completion: @escaping (Result<OrderRecord?, StoreError>) -> Void)
}
