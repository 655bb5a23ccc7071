import FlashSaleCore

/// A sale as an admin defines it with `PUT /v1/sales/{sale}`.
///
/// Body: `{"starts_at":"RFC 3339","ends_at":"RFC 3339","per_user_limit":1,
/// "reservation_ttl_s":600,"items":[{"sku":"…","stock":10000}]}`. Rules (also in
/// docs/api.md): all fields required, unknown fields rejected; `ends_at` after
/// `starts_at`; `per_user_limit` 1…``maxPerUserLimit``; `reservation_ttl_s`
/// 1…``maxReservationTTL``; 1…``maxItems`` items with unique valid SKUs and
/// `stock` 0…``maxStock``. The limits are the core's (``SaleConfig``): one rule for the
/// API, the engine and the scripts; ``config(name:)`` is the sale the engine installs.
public struct SaleBody: Sendable, Equatable {
    public static let maxPerUserLimit = SaleConfig.maxPerUserLimit
    public static let maxReservationTTL = Int(SaleConfig.maxReservationTTLMillis / 1000)
    public static let maxItems = SaleConfig.maxItems
    public static let maxStock = Int64(SaleConfig.maxStock)

    /// One SKU and its stock.
    public struct Item: Sendable, Equatable {
        public var sku: String
        public var stock: Int64

        public init(sku: String, stock: Int64) {
            self.sku = sku
            self.stock = stock
        }
    }

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

    /// Creates a definition (not validated; use ``parse(_:)`` for input).
    public init(startsAtMillis: Int64, endsAtMillis: Int64, perUserLimit: Int, reservationTTLSeconds: Int, items: [Item]) {
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
        } catch let failure as JSONScanner.Failure {
            throw BadRequest(failure)
        } catch let bad as BadRequest {
            throw bad
        } catch {
            throw BadRequest("malformed JSON")
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
            guard (0...maxStock).contains(item.stock) else {
                throw BadRequest("items[\(index)].stock must be between 0 and \(maxStock)")
            }
        }
        return SaleBody(
            startsAtMillis: starts, endsAtMillis: ends, perUserLimit: Int(wire.perUserLimit),
            reservationTTLSeconds: Int(wire.reservationTTL), items: wire.items)
    }

    /// The core's configuration of this body for the sale `name` (validate it with
    /// ``SaleConfig/validate()``: the name comes from the path).
    public func config(name: String) -> SaleConfig {
        SaleConfig(
            name: name, startsAtMillis: startsAtMillis, endsAtMillis: endsAtMillis, perUserLimit: perUserLimit,
            reservationTTLMillis: Int64(reservationTTLSeconds) * 1000,
            items: items.map { SaleItem(sku: $0.sku, stock: Int($0.stock)) })
    }

    /// The definition as the JSON body of a `PUT` (for the CLI and tests).
    public func jsonBody() -> [UInt8] {
        var json = JSONBuffer()
        json.object { object in
            object.key("starts_at")
            object.timestamp(millis: startsAtMillis)
            object.key("ends_at")
            object.timestamp(millis: endsAtMillis)
            object.field("per_user_limit", integer: perUserLimit)
            object.field("reservation_ttl_s", integer: reservationTTLSeconds)
            object.key("items")
            object.array { array in
                for item in items {
                    array.object { entry in
                        entry.field("sku", string: item.sku)
                        entry.field("stock", integer: item.stock)
                    }
                }
            }
        }
        return json.bytes
    }
}
