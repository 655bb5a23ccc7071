/// A reservation that left the `reserved` state and gave its units back to the pool
/// (cancelled or expired); engines use it to correct their buyer ledgers.
public struct ReleasedOrder: Sendable, Equatable {
    /// The order id.
    public let orderID: String
    /// The SKU.
    public let sku: String
    /// The buyer.
    public let user: String
    /// Units returned to the pool.
    public let quantity: Int64

    /// Creates a released order.
    public init(orderID: String, sku: String, user: String, quantity: Int64) {
        self.orderID = orderID
        self.sku = sku
        self.user = user
        self.quantity = quantity
    }
}
