import FlashSaleCore

/// A sale as an admin defines it with `PUT /v1/sales/{sale}`.
///
/// Body: `{"starts_at":"RFC 3339","ends_at":"RFC 3339","per_user_limit":1,
/// "reservation_ttl_s":600,"items":[{"sku":"…","stock":10000}]}`. Rules (also in
/// docs/api.md): all fields required, unknown fields rejected; `ends_at` after
/// `starts_at`; `per_user_limit` 1…``maxPerUserLimit``; `reservation_ttl_s`
/// 1…``maxReservationTTL``; 1…``maxItems`` items with unique valid SKUs and
/// `stock` 0…``maxStock``. Optional money: `currency` (an active ISO 4217 code,
/// ``CurrencyCode``) and, when it is given, `price` on every item (integer minor units
/// 1…``SaleConfig/maxPrice``); without `currency` no item may have a price, the sale's
/// currency is `XXX` and every amount 0. The limits are the core's (``SaleConfig``): one rule for the
/// API, the engine and the scripts; ``config(name:)`` is the sale the engine installs.
public struct SaleBody: Sendable, Equatable {
    public static let maxPerUserLimit = SaleConfig.maxPerUserLimit
    public static let maxReservationTTL = Int(SaleConfig.maxReservationTTLMillis / 1000)
    public static let maxItems = SaleConfig.maxItems
    public static let maxStock = Int64(SaleConfig.maxStock)

    /// One SKU and its stock: the core's ``SaleItem`` (one type for the concept).
    public typealias Item = SaleItem

    /// Start, Unix milliseconds.
    public var startsAtMillis: Int64
    /// End, Unix milliseconds.
    public var endsAtMillis: Int64
    /// Units one user may hold per SKU (reserved + paid).
    public var perUserLimit: Int
    /// Seconds a reservation waits for payment.
    public var reservationTTLSeconds: Int
    /// The SKUs on sale, in the order given.
    public var items: [Item]
    /// ISO 4217 code of the prices; `XXX` (``CurrencyCode/none``) for a sale without prices.
    public var currency: String

    /// Creates a definition (not validated; use ``parse(_:)`` for input).
    public init(
        startsAtMillis: Int64, endsAtMillis: Int64, perUserLimit: Int, reservationTTLSeconds: Int, items: [Item],
        currency: String = CurrencyCode.none
    ) {
        self.currency = currency
        self.startsAtMillis = startsAtMillis
        self.endsAtMillis = endsAtMillis
        self.perUserLimit = perUserLimit
        self.reservationTTLSeconds = reservationTTLSeconds
        self.items = items
    }

    /// Parses and validates a sale body; the error says what is wrong.
    public static func parse(_ body: [UInt8]) throws(BadRequest) -> SaleBody {
        guard !body.isEmpty else { throw BadRequest("request body is empty; expected a sale definition") }
        return try body.withUnsafeBytes { raw in
            Result { () throws(BadRequest) -> SaleBody in try parse(raw) }
        }.get()
    }

    /// Parses and validates a sale body held in `raw`.
    public static func parse(_ raw: UnsafeRawBufferPointer) throws(BadRequest) -> SaleBody {
        var reader = SaleBodyReader(JSONScanner(raw))
        do {
            return try validate(reader.readTop())
        } catch {
            throw BadRequest(thrown: error)
        }
    }

    private static func validate(_ wire: SaleBodyReader.Wire) throws(BadRequest) -> SaleBody {
        guard let starts = RFC3339.parse(wire.startsAt) else {
            throw BadRequest("starts_at must be an RFC 3339 date-time such as 2025-06-01T12:00:00Z")
        }
        guard let ends = RFC3339.parse(wire.endsAt) else {
            throw BadRequest("ends_at must be an RFC 3339 date-time such as 2025-06-01T13:00:00Z")
        }
        guard ends > starts else { throw BadRequest("ends_at must be after starts_at") }
        guard (1...Int64(maxPerUserLimit)).contains(wire.perUserLimit) else {
            throw BadRequest("per_user_limit must be between 1 and \(maxPerUserLimit)")
        }
        guard (1...Int64(maxReservationTTL)).contains(wire.reservationTTL) else {
            throw BadRequest("reservation_ttl_s must be between 1 and \(maxReservationTTL)")
        }
        guard !wire.items.isEmpty else { throw BadRequest("items must not be empty") }
        var seen = Set<String>()
        for (index, item) in wire.items.enumerated() {
            guard IdentifierRules.isValidName(item.sku) else {
                throw BadRequest("items[\(index)].sku must be 1 to 64 of letters, digits, '.', '_' and '-'")
            }
            guard seen.insert(item.sku).inserted else { throw BadRequest("items[\(index)].sku \"\(item.sku)\" is listed twice") }
            guard (0...maxStock).contains(Int64(item.stock)) else {
                throw BadRequest("items[\(index)].stock must be between 0 and \(maxStock)")
            }
        }
        let currency = wire.currency ?? CurrencyCode.none
        if let given = wire.currency {
            guard CurrencyCode.isWellFormed(given) else {
                throw BadRequest("currency must be an ISO 4217 code of exactly 3 upper-case letters A-Z, e.g. EUR, got \"\(given)\"")
            }
            guard CurrencyCode.isActive(given) else {
                throw BadRequest("currency \"\(given)\" is not an active ISO 4217 code")
            }
        }
        if currency == CurrencyCode.none {
            if wire.anyPrice {
                throw BadRequest("items[].price needs the sale's currency (add \"currency\", e.g. \"EUR\"; XXX has no prices)")
            }
        } else if let index = wire.items.firstIndex(where: { $0.price == 0 }) {
            throw BadRequest("items[\(index)].price is required when the sale has a currency")
        }
        return SaleBody(
            startsAtMillis: starts, endsAtMillis: ends, perUserLimit: Int(wire.perUserLimit),
            reservationTTLSeconds: Int(wire.reservationTTL), items: wire.items, currency: currency)
    }

    /// The core's configuration of this body for the sale `name` (validate it with
    /// ``SaleConfig/validate()``: the name comes from the path).
    public func config(name: String) -> SaleConfig {
        SaleConfig(
            name: name, startsAtMillis: startsAtMillis, endsAtMillis: endsAtMillis, perUserLimit: perUserLimit,
            reservationTTLMillis: Int64(reservationTTLSeconds) * 1000,
            items: items, currency: currency)
    }

    /// The definition as the JSON body of a `PUT` (for the CLI and tests).
    public func jsonBody() -> [UInt8] {
        var json = JSONBuffer()
        json.object { object in
            object.saleTerms(
                startsAtMillis: startsAtMillis, endsAtMillis: endsAtMillis, perUserLimit: Int64(perUserLimit),
                reservationTTLSeconds: Int64(reservationTTLSeconds), currency: currency, items: items
            ) { entry, item in
                entry.field("sku", string: item.sku)
                entry.field("stock", integer: item.stock)
                if item.price > 0 { entry.field("price", integer: item.price) }
            }
        }
        return json.bytes
    }
}

extension JSONBuffer {
    /// A sale's terms as the `PUT` body and the `GET` answer both spell them, inside an
    /// object: `starts_at, ends_at, per_user_limit, reservation_ttl_s, currency, items:[…]`,
    /// each item an object whose fields `item` writes (`currency` is `XXX` for a sale
    /// without prices).
    mutating func saleTerms<Item>(
        startsAtMillis: Int64, endsAtMillis: Int64, perUserLimit: Int64, reservationTTLSeconds: Int64,
        currency: String, items: [Item], item writeItem: (inout JSONBuffer, Item) -> Void
    ) {
        field("starts_at", timestampMillis: startsAtMillis)
        field("ends_at", timestampMillis: endsAtMillis)
        field("per_user_limit", integer: perUserLimit)
        field("reservation_ttl_s", integer: reservationTTLSeconds)
        field("currency", string: currency)
        key("items")
        array { array in
            for item in items {
                array.object { entry in writeItem(&entry, item) }
            }
        }
    }
}
