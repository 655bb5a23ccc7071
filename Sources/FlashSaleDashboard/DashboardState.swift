import FlashSaleRedis

/// Everything the page shows: the last good read, whether Redis answers, the
/// conservation verdicts, and the last minutes of history. Loop thread only.
final class DashboardState {
    /// Points kept per sale and for the engine (one per second).
    let historyLength: Int
    private(set) var reading: Reading?
    private(set) var redisUp = false
    private(set) var redisError = "not read yet"
    /// Wall-clock ms of the last successful read.
    private(set) var lastGoodReadMillis: Int64?
    /// SKUs checked for conservation since start (one per SKU per read).
    private(set) var checks: UInt64 = 0
    /// Checks that found a violation since start.
    private(set) var violationsFound: UInt64 = 0
    /// Reads that failed (Redis unreachable) since start.
    private(set) var failedReads: UInt64 = 0
    private(set) var salesNotRead = 0
    private var saleHistory: [String: History<SalePoint>] = [:]
    private(set) var engineHistory: History<EnginePoint>
    /// First time (Redis ms) the dashboard saw each `sale/sku` with nothing left to sell.
    private var soldOutSeen: [String: Int64] = [:]
    private var previousSale: [String: (at: Int64, reserved: Int64, rejected: Int64)] = [:]
    private var previousNode: [String: (at: Int64, requests: Int64, reserved: Int64, rejected: [Int64])] = [:]
    /// Requests per second per worker id, from the last two reads.
    private(set) var nodeRequestRate: [String: Double] = [:]

    init(historyLength: Int) {
        self.historyLength = historyLength
        engineHistory = History(capacity: historyLength)
    }

    /// Folds in a successful read.
    func record(_ reading: Reading, wallMillis: Int64, salesNotRead: Int) {
        let now = reading.redisTimeMillis
        self.reading = reading
        self.salesNotRead = salesNotRead
        redisUp = true
        redisError = ""
        lastGoodReadMillis = wallMillis
        var liveSales = Set<String>()
        for sale in reading.sales {
            liveSales.insert(sale.sale)
            var ever: Int64 = 0, rejected: Int64 = 0
            for sku in sale.skus {
                checks &+= 1
                if !sku.conserved { violationsFound &+= 1 }
                ever += sku.everReserved
                rejected += sku.rejections.reduce(0) { $0 + $1.count }
                let key = sale.sale + "/" + sku.sku
                if sku.soldOut && sku.total > 0 {
                    if soldOutSeen[key] == nil { soldOutSeen[key] = now }
                } else {
                    soldOutSeen[key] = nil
                }
            }
            var rate = 0.0, rejectedRate = 0.0
            if let previous = previousSale[sale.sale], now > previous.at {
                let seconds = Double(now - previous.at) / 1000
                rate = Double(max(0, ever - previous.reserved)) / seconds
                rejectedRate = Double(max(0, rejected - previous.rejected)) / seconds
            }
            previousSale[sale.sale] = (now, ever, rejected)
            saleHistory[sale.sale, default: History(capacity: historyLength)].append(SalePoint(
                atMillis: now, units: SaleUnits(sale.skus), reservedPerSecond: rate, rejectedPerSecond: rejectedRate))
        }
        // Sales that disappeared lose their history (bounded by what Redis holds).
        for name in saleHistory.keys where !liveSales.contains(name) {
            saleHistory[name] = nil
            previousSale[name] = nil
        }
        soldOutSeen = soldOutSeen.filter { liveSales.contains(String($0.key.split(separator: "/", maxSplits: 1)[0])) }
        recordEngine(reading.nodes, now: now)
    }

    private func recordEngine(_ nodes: [NodeReading], now: Int64) {
        var reservedRate = 0.0
        var rejectedRates = [Double](repeating: 0, count: EngineRates.reasons.count)
        var rates: [String: Double] = [:]
        var seen: [String: (at: Int64, requests: Int64, reserved: Int64, rejected: [Int64])] = [:]
        for node in nodes {
            let current = (at: now, requests: node.int("requests"), reserved: node.int("reserved"),
                           rejected: EngineRates.reasons.map { node.int($0) })
            seen[node.id] = current
            guard let previous = previousNode[node.id], now > previous.at else { continue }
            let seconds = Double(now - previous.at) / 1000
            rates[node.id] = Double(max(0, current.requests - previous.requests)) / seconds
            reservedRate += Double(max(0, current.reserved - previous.reserved)) / seconds
            for index in rejectedRates.indices {
                rejectedRates[index] += Double(max(0, current.rejected[index] - previous.rejected[index])) / seconds
            }
        }
        previousNode = seen
        nodeRequestRate = rates
        engineHistory.append(EnginePoint(atMillis: now, reservedPerSecond: reservedRate, rejectedPerSecond: rejectedRates))
    }

    /// Notes a failed read: the page says Redis is unreachable and keeps the last numbers (marked stale).
    func recordFailure(_ error: RedisError) {
        redisUp = false
        redisError = error.description
        failedReads &+= 1
    }

    /// The history of `sale`, oldest first.
    func history(of sale: String) -> [SalePoint] { saleHistory[sale]?.elements ?? [] }

    /// When the dashboard first saw `sku` of `sale` sold out (Redis ms), if it is.
    func soldOutAt(sale: String, sku: String) -> Int64? { soldOutSeen[sale + "/" + sku] }
}
