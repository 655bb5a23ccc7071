/// What `reclaim` gave back: units per SKU (SKUs with nothing to give back are absent).
public struct ReclaimOutcome: Sendable, Equatable {
    /// Units returned to each SKU's pool.
    public let returned: [String: Int64]

    /// Creates an outcome.
    public init(returned: [String: Int64]) {
        self.returned = returned
    }
}
