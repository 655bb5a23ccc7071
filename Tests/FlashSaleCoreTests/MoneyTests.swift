import FlashSaleCore
import Testing

/// Currency codes, prices in a sale and the amount of an order.
@Suite struct MoneyTests {
    @Test func currencyCodesAreTheActiveISO4217List() {
        for code in ["EUR", "USD", "JPY", "GBP", "CHF", "XXX", "XAU", "BHD"] { #expect(CurrencyCode.isActive(code), "\(code)") }
        for code in ["ABC", "eur", "EURO", "EU", "", "E1R", "ÉUR", "QQQ"] { #expect(!CurrencyCode.isActive(code), "\(code)") }
        let texts = CurrencyCode.active.map { $0.description }
        #expect(texts == texts.sorted(), "sorted")
        #expect(Set(texts).count == texts.count, "no duplicates")
        #expect(texts.allSatisfy(CurrencyCode.isWellFormed))
        #expect(texts.count > 150)
    }

    @Test func amountIsPriceTimesQuantityOrNilOnOverflow() {
        #expect(SaleItem.amount(price: 1999, quantity: 3) == 5997)
        #expect(SaleItem.amount(price: 0, quantity: 1_000_000) == 0)
        // The sale's bounds keep every accepted order's amount in 64 bits ...
        #expect(SaleItem.amount(price: SaleConfig.maxPrice, quantity: SaleConfig.maxPerUserLimit) == 1_000_000_000_000_000_000)
        // ... and beyond them the product is refused, not wrapped.
        #expect(SaleItem.amount(price: SaleConfig.maxPrice, quantity: 10_000_000) == nil)
        #expect(SaleItem.amount(price: Int64.max, quantity: 2) == nil)
    }

    @Test func saleConfigValidatesPricesAgainstItsCurrency() {
        func sale(_ currency: String, _ prices: [Int64]) -> SaleConfig {
            SaleConfig(name: "m", startsAtMillis: 0, endsAtMillis: 1, perUserLimit: 1, reservationTTLMillis: 1000,
                       items: prices.enumerated().map { SaleItem(sku: "s\($0.offset)", stock: 1, price: $0.element) },
                       currency: currency)
        }
        #expect(sale("EUR", [1, SaleConfig.maxPrice]).validate() == nil)
        #expect(sale("XXX", [0, 0]).validate() == nil)
        #expect(sale("EUR", [0]).validate() == .invalidPrice)
        #expect(sale("EUR", [-5]).validate() == .invalidPrice)
        #expect(sale("EUR", [SaleConfig.maxPrice + 1]).validate() == .invalidPrice)
        #expect(sale("XXX", [5]).validate() == .priceWithoutCurrency)
        #expect(sale("ABC", [5]).validate() == .invalidCurrency)
        #expect(sale("eur", [5]).validate() == .invalidCurrency)
        #expect(SaleConfig(name: "m", startsAtMillis: 0, endsAtMillis: 1, perUserLimit: 1, reservationTTLMillis: 1000,
                           items: [SaleItem(sku: "a", stock: 1)]).currency == "XXX", "the default: no prices")
    }
}

/// A drained order carries price × qty; the shard answers the amount and currency of a handle.
@Suite struct OrderAmountTests {
    @Test func drainedOrdersCarryTheirAmount() throws {
        let core = ProcessCore(configuration: CoreConfiguration(instance: 1, hashSeed: 99))
        _ = try core.sales.install(SaleConfig(
            name: "m", startsAtMillis: 1000, endsAtMillis: 2000, perUserLimit: 5, reservationTTLMillis: 100,
            items: [SaleItem(sku: "tee", stock: 10, price: 1999), SaleItem(sku: "cap", stock: 10, price: 500)], currency: "EUR"))
        let shard = WorkerShard(process: core, workerIndex: 0)
        var pool = 20
        func buy(_ sku: String, _ qty: Int) -> PurchaseDecision {
            let first = shard.purchase(sale: "m", sku: sku, user: "u", qty: qty, idempotencyKey: nil, now: 1500)
            guard case .parked(let ticket) = first else { return first }
            var requests: [LeaseRequest] = []
            shard.drainLeaseRequests { requests.append($0) }
            for request in requests {
                let granted = min(pool, request.units)
                pool -= granted
                shard.leaseGranted(request.sku, granted: granted, poolRemaining: pool, now: 1500)
            }
            var resolved: [(ParkTicket, PurchaseDecision)] = []
            shard.drainParkedResolutions { resolved.append(($0, $1)) }
            return resolved.first { $0.0 == ticket }?.1 ?? first
        }
        let tee = try #require(buy("tee", 3).order)
        #expect(buy("cap", 2).order != nil)
        var batch: [PendingOrder] = []
        #expect(shard.drainPendingOrders(maxCount: 10, into: &batch) == 2)
        #expect(batch.map(\.amountMinorUnits) == [5997, 1000])
        let terms = try #require(shard.terms(of: tee.sku, quantity: tee.qty))
        #expect(terms.sku == "tee")
        #expect(terms.amount == 5997)
        #expect(terms.currency == CurrencyCode.Letters("EUR"))
        #expect(CurrencyCode.Letters("EUR").second == UInt8(ascii: "U"))
    }
}
