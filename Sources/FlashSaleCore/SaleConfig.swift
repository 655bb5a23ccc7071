/// One item of a sale: a SKU name and the total number of units it puts on sale.
public struct SaleItem: Sendable, Hashable {
    /// The SKU name as it appears in purchase bodies (`{"sku": …}`), 1…64 bytes of `A–Z a–z 0–9 . _ -` (``IdentifierRules``).
    public var sku: String
    /// Total units of this SKU in the sale (`fs:{S}:counts:{sku}` `total`), >= 0.
    public var stock: Int
    /// Price of one unit in minor units of the sale's currency (cents for EUR), 1…
    /// ``SaleConfig/maxPrice``; 0 when the sale has no prices (currency `XXX`).
    public var price: Int64

    /// Creates an item.
    public init(sku: String, stock: Int, price: Int64 = 0) {
        self.sku = sku
        self.stock = stock
        self.price = price
    }

    /// `price × quantity` in minor units, nil when it does not fit in 64 bits. With the
    /// sale's bounds (price ≤ ``SaleConfig/maxPrice``, quantity ≤ ``SaleConfig/maxPerUserLimit``)
    /// the product is at most 10^18 < 2^63, so an order the core accepts always has one.
    @inline(__always)
    public static func amount(price: Int64, quantity: Int) -> Int64? {
        let (product, overflow) = price.multipliedReportingOverflow(by: Int64(quantity))
        return overflow ? nil : product
    }
}

/// The configuration of one sale, as an admin sets it with `PUT /v1/sales/{sale}`.
///
/// Times are Unix-epoch milliseconds. The sale is live for `startsAtMillis <= now < endsAtMillis`
/// (start inclusive, end exclusive).
public struct SaleConfig: Sendable, Hashable {
    /// The sale name as it appears in paths, 1…64 bytes of `A–Z a–z 0–9 . _ -` (``IdentifierRules``).
    public var name: String
    /// First instant (inclusive) at which purchases are accepted.
    public var startsAtMillis: Int64
    /// First instant (exclusive end) at which purchases are no longer accepted.
    public var endsAtMillis: Int64
    /// Units one user may hold (reserved + paid) per SKU: 1…``maxPerUserLimit``. There is
    /// no "no limit" value: a sale without a real limit uses ``maxPerUserLimit``.
    public var perUserLimit: Int
    /// How long a reservation stays unpaid before it expires.
    public var reservationTTLMillis: Int64
    /// The SKUs on sale, with unique names.
    public var items: [SaleItem]
    /// ISO 4217 code of the prices (``CurrencyCode``); `XXX` for a sale without prices.
    public var currency: String
    /// Schema 3: the secret from which the ids of keyed orders are derived
    /// (``OrderID/init(salt:user:key:)``); nil for a sale created under schema 2, whose
    /// keyed orders get generated ids and an idempotency entry. Not part of the API body:
    /// the store makes it when it creates the sale.
    public var orderIDSalt: OrderIDSalt?

    /// Creates a sale configuration; call `validate()` before installing it.
    public init(
        name: String, startsAtMillis: Int64, endsAtMillis: Int64, perUserLimit: Int,
        reservationTTLMillis: Int64, items: [SaleItem], currency: String = CurrencyCode.none,
        orderIDSalt: OrderIDSalt? = nil
    ) {
        self.orderIDSalt = orderIDSalt
        self.currency = currency
        self.name = name
        self.startsAtMillis = startsAtMillis
        self.endsAtMillis = endsAtMillis
        self.perUserLimit = perUserLimit
        self.reservationTTLMillis = reservationTTLMillis
        self.items = items
    }

    /// The longest sale or SKU name accepted, in bytes (``IdentifierRules/maxNameLength``).
    public static let maxNameBytes = IdentifierRules.maxNameLength
    /// The most SKUs one sale may have.
    public static let maxItems = 1_000
    /// The largest stock of one SKU (keeps every sum of units far from `Int` overflow).
    public static let maxStock = 1_000_000_000
    /// The largest per-user limit.
    public static let maxPerUserLimit = 1_000_000
    /// The largest price of one unit, in minor units (10^12: with ``maxPerUserLimit`` units
    /// an amount stays below 2^63).
    public static let maxPrice: Int64 = 1_000_000_000_000
    /// The longest reservation TTL (one day).
    public static let maxReservationTTLMillis: Int64 = 86_400_000

    /// Checks the configuration; returns the first problem found, or nil when it is valid.
    public func validate() -> SaleConfigError? {
        if !IdentifierRules.isValidName(name) { return .invalidName }
        if endsAtMillis <= startsAtMillis { return .endsBeforeStart }
        if perUserLimit < 1 || perUserLimit > Self.maxPerUserLimit { return .invalidPerUserLimit }
        if reservationTTLMillis <= 0 || reservationTTLMillis > Self.maxReservationTTLMillis { return .invalidReservationTTL }
        if items.isEmpty || items.count > Self.maxItems { return .invalidItemCount }
        if !CurrencyCode.isActive(currency) { return .invalidCurrency }
        let priced = currency != CurrencyCode.none
        var seen = Set<String>()
        for item in items {
            if !IdentifierRules.isValidName(item.sku) { return .invalidSKUName }
            if item.stock < 0 || item.stock > Self.maxStock { return .invalidStock }
            if priced, item.price < 1 || item.price > Self.maxPrice { return .invalidPrice }
            if !priced, item.price != 0 { return .priceWithoutCurrency }
            if !seen.insert(item.sku).inserted { return .duplicateSKU }
        }
        return nil
    }

    /// The schedule part of the sale state at `now`: `.scheduled`, `.live` or `.ended`
    /// (never `.soldOut`, which depends on stock; see `WorkerShard.saleState`).
    public func scheduleState(now: Int64) -> SaleState {
        SaleState.at(now: now, startsAtMillis: startsAtMillis, endsAtMillis: endsAtMillis, anyAvailable: true)
    }
}

/// Why a `SaleConfig` is invalid.
public enum SaleConfigError: Error, Sendable, Hashable {
    case invalidName, endsBeforeStart, invalidPerUserLimit, invalidReservationTTL
    case invalidItemCount, invalidSKUName, invalidStock, duplicateSKU
    case invalidCurrency, invalidPrice, priceWithoutCurrency

    /// A human-readable message for a 400 answer.
    public var message: String {
        switch self {
        case .invalidName: "sale id must be 1-\(SaleConfig.maxNameBytes) characters of A-Z a-z 0-9 . _ -"
        case .endsBeforeStart: "ends_at must be after starts_at"
        case .invalidPerUserLimit: "per_user_limit must be 1...\(SaleConfig.maxPerUserLimit)"
        case .invalidReservationTTL: "reservation_ttl_s must be 1...\(SaleConfig.maxReservationTTLMillis / 1000)"
        case .invalidItemCount: "items must hold 1...\(SaleConfig.maxItems) SKUs"
        case .invalidSKUName: "sku must be 1-\(SaleConfig.maxNameBytes) characters of A-Z a-z 0-9 . _ -"
        case .invalidStock: "stock must be 0...\(SaleConfig.maxStock)"
        case .duplicateSKU: "each sku may appear once"
        case .invalidCurrency: "currency must be an active ISO 4217 code of 3 letters A-Z, e.g. EUR"
        case .invalidPrice: "price must be an integer 1...\(SaleConfig.maxPrice) (minor units) on every item of a sale with a currency"
        case .priceWithoutCurrency: "price needs the sale's currency (a sale without currency, or XXX, has no prices)"
        }
    }
}

/// The state of a sale as `GET /v1/sales/{sale}` reports it.
public enum SaleState: String, Sendable, Hashable {
    case scheduled
    case live
    case soldOut = "sold_out"
    case ended

    /// The state at `now`: `scheduled` before `startsAt` (inclusive start), `ended` from
    /// `endsAt` on (exclusive end), else `live`, or `soldOut` when nothing is available.
    public static func at(now: Int64, startsAtMillis: Int64, endsAtMillis: Int64, anyAvailable: Bool) -> SaleState {
        if now < startsAtMillis { return .scheduled }
        if now >= endsAtMillis { return .ended }
        return anyAvailable ? .live : .soldOut
    }
}
