/// One item of a sale: a SKU name and the total number of units it puts on sale.
public struct SaleItem: Sendable, Hashable {
    /// The SKU name as it appears in purchase bodies (`{"sku": …}`), 1…64 bytes of `A–Z a–z 0–9 . _ -` (``IdentifierRules``).
    public var sku: String
    /// Total units of this SKU in the sale (`fs:{S}:counts:{sku}` `total`), >= 0.
    public var stock: Int

    /// Creates an item.
    public init(sku: String, stock: Int) {
        self.sku = sku
        self.stock = stock
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

    /// Creates a sale configuration; call `validate()` before installing it.
    public init(
        name: String, startsAtMillis: Int64, endsAtMillis: Int64, perUserLimit: Int,
        reservationTTLMillis: Int64, items: [SaleItem]
    ) {
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
    /// The longest reservation TTL (one day).
    public static let maxReservationTTLMillis: Int64 = 86_400_000

    /// Checks the configuration; returns the first problem found, or nil when it is valid.
    public func validate() -> SaleConfigError? {
        if !IdentifierRules.isValidName(name) { return .invalidName }
        if endsAtMillis <= startsAtMillis { return .endsBeforeStart }
        if perUserLimit < 1 || perUserLimit > Self.maxPerUserLimit { return .invalidPerUserLimit }
        if reservationTTLMillis <= 0 || reservationTTLMillis > Self.maxReservationTTLMillis { return .invalidReservationTTL }
        if items.isEmpty || items.count > Self.maxItems { return .invalidItemCount }
        var seen = Set<String>()
        for item in items {
            if !IdentifierRules.isValidName(item.sku) { return .invalidSKUName }
            if item.stock < 0 || item.stock > Self.maxStock { return .invalidStock }
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
