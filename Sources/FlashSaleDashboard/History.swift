/// A fixed-capacity ring of the most recent values (oldest dropped first).
struct History<Element> {
    private var items: [Element] = []
    private var start = 0
    let capacity: Int

    init(capacity: Int) {
        precondition(capacity > 0)
        self.capacity = capacity
        items.reserveCapacity(capacity)
    }

    mutating func append(_ item: Element) {
        if items.count < capacity {
            items.append(item)
        } else {
            items[start] = item
            start = (start + 1) % capacity
        }
    }

    /// Oldest first.
    var elements: [Element] {
        guard items.count == capacity, start > 0 else { return items }
        return Array(items[start...] + items[..<start])
    }

    var last: Element? { items.isEmpty ? nil : items[(start + items.count - 1) % items.count] }
    var count: Int { items.count }
}

/// One sale's units by state, summed over its SKUs.
struct SaleUnits {
    var pool: Int64 = 0
    var leased: Int64 = 0
    var reserved: Int64 = 0
    var paid: Int64 = 0

    init(_ skus: [SKUReading]) {
        for sku in skus {
            pool += sku.pool
            leased += sku.leased
            reserved += sku.reserved
            paid += sku.paid
        }
    }
}

/// One second of one sale: units by state (all SKUs) and the rate of new reservations.
struct SalePoint {
    var atMillis: Int64
    var units: SaleUnits
    /// Units newly reserved per second since the previous point.
    var reservedPerSecond: Double
    /// Flush rejections per second since the previous point.
    var rejectedPerSecond: Double
}

/// One second of the whole engine (all `fs:node:*`): purchases decided and refused, per second.
struct EnginePoint {
    var atMillis: Int64
    var reservedPerSecond: Double
    /// By the reasons of ``EngineRates/reasons``, same order.
    var rejectedPerSecond: [Double]
}

/// The `fs:node:{id}` counters whose per-second rates are plotted.
enum EngineRates {
    /// Refusal reasons (node hash fields) shown on the rejections plot.
    static let reasons = ["sold_out", "limit_exceeded", "not_live", "overloaded", "idempotency_conflicts", "not_found", "invalid"]
}
