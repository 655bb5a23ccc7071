/// One event as the relay delivers it: one order's change (or an order-less event such
/// as `lease_reaped`), decoded from one entry of `fs:{S}:events`.
///
/// This file is the only place that knows the entry layouts:
///
/// - schema v1 (`docs/redis-schema.md`): one order per entry, fields `type`, `order`,
///   `sku`, `user`, `qty`, and `at` except on `reserved`;
/// - schema v2 (the `schema2` layout): fields `type`, `at`, `currency`, then one field
///   per order named by its 26-character id whose value is space-separated tokens
///   (`<sku> <user> <qty> <amount>`, + `<carrier> <tracking>` on `fulfilled`,
///   + `<status>` on `payment_unmatched`); `lease_reaped` has no order fields (its own
///   fields `worker`, `sku`, `units`). One entry may carry several orders: one event each.
///
/// plus the two fields a `flashsale relay redeliver` entry adds: `webhook_id` (the
/// original delivery's id, kept) and `relay_endpoint` (the one endpoint it is for).
struct RelayEvent {
    /// The sale `S`.
    let sale: String
    /// The stream entry id (`<ms>-<seq>`).
    let entryID: String
    /// `reserved`, `paid`, `cancelled`, `expired`, `fulfilled`, `payment_unmatched`, `lease_reaped`, …
    let type: String
    /// The order id (nil for an event about no order, such as `lease_reaped`).
    let order: String?
    /// The event's other fields for the body, in order (`sku`, `user`, `qty`, `amount`, `currency`, `at`, …).
    let fields: [(String, String)]
    /// The `webhook-id`: stable across every redelivery of this event.
    let webhookID: String
    /// When the change happened (ms): `at`, else the entry id's time.
    let occurredAtMillis: Int64
    /// Set on a redelivered dead letter: only this endpoint gets it.
    let onlyEndpoint: String?
    /// The entry's fields for this event alone, as stored (kept in a dead letter and
    /// written back by `redeliver`: a v2 entry keeps `type`, `at`, `currency` and this order's field).
    let rawFields: [(String, String)]

    /// Fields that are integers in the body (JSON numbers); the rest are strings.
    static let integerFields: Set<String> = ["qty", "at", "amount", "units", "created_at", "expires_at"]

    /// The names of a v2 order value's tokens, by event type.
    static func tokenNames(_ type: String) -> [String] {
        switch type {
        case "fulfilled": return ["sku", "user", "qty", "amount", "carrier", "tracking"]
        case "payment_unmatched": return ["sku", "user", "qty", "amount", "status"]
        default: return ["sku", "user", "qty", "amount"]
        }
    }

    /// The events of entry `entryID` of sale `sale`; empty when the entry is no event
    /// (no `type`): the relay acknowledges such an entry without delivering it.
    static func decode(sale: String, entryID: String, fields raw: [(String, String)]) -> [RelayEvent] {
        var type: String?
        var webhookID: String?
        var onlyEndpoint: String?
        var at: Int64?
        var isV1 = false
        for (name, value) in raw {
            switch name {
            case "type": type = value
            case "order": isV1 = true
            case "webhook_id": webhookID = value
            case "relay_endpoint": onlyEndpoint = value
            case "at": at = Int64(value)
            default: break
            }
        }
        guard let type, !type.isEmpty else { return [] }
        let when = at ?? millis(ofEntryID: entryID)
        func event(order: String?, fields: [(String, String)], raw: [(String, String)]) -> RelayEvent {
            RelayEvent(sale: sale, entryID: entryID, type: type, order: order, fields: fields,
                       webhookID: webhookID ?? Self.webhookID(sale: sale, entryID: entryID, order: order),
                       occurredAtMillis: when, onlyEndpoint: onlyEndpoint, rawFields: raw)
        }
        let own: Set<String> = ["type", "order", "webhook_id", "relay_endpoint"]
        if isV1 {
            guard let order = raw.first(where: { $0.0 == "order" })?.1, !order.isEmpty else { return [] }
            let stored = raw.filter { $0.0 != "webhook_id" && $0.0 != "relay_endpoint" }
            return [event(order: order, fields: raw.filter { !own.contains($0.0) }, raw: stored)]
        }
        // v2: the entry-wide fields, then one event per order field.
        var common: [(String, String)] = []
        var orders: [(String, String)] = []
        for (name, value) in raw where !own.contains(name) {
            if isOrderID(name) { orders.append((name, value)) } else { common.append((name, value)) }
        }
        let header = raw.filter { $0.0 == "type" } + common
        guard !orders.isEmpty else {
            return [event(order: nil, fields: common, raw: header)]  // e.g. lease_reaped
        }
        let names = tokenNames(type)
        return orders.map { order, value in
            var fields: [(String, String)] = []
            for (index, token) in value.split(separator: " ").enumerated() where index < names.count {
                fields.append((names[index], String(token)))
            }
            return event(order: order, fields: fields + common, raw: header + [(order, value)])
        }
    }

    /// Whether `name` is an order id: 26 characters of Crockford base32 (upper case).
    static func isOrderID(_ name: String) -> Bool {
        let bytes = name.utf8
        guard bytes.count == 26 else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return true
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                return byte != UInt8(ascii: "I") && byte != UInt8(ascii: "L") && byte != UInt8(ascii: "O") && byte != UInt8(ascii: "U")
            default: return false
            }
        }
    }

    /// `<sale>:<entry id>:<order id>` (`<sale>:<entry id>` for an event of no order):
    /// unique per event, the same on every redelivery. A `.` in the sale id is written
    /// `%2E` (Standard Webhooks ids must not contain `.`).
    static func webhookID(sale: String, entryID: String, order: String?) -> String {
        var id = sale.utf8.contains(UInt8(ascii: ".")) ? sale.split(separator: ".", omittingEmptySubsequences: false).joined(separator: "%2E") : sale
        id += ":" + entryID
        if let order { id += ":" + order }
        return id
    }

    /// The millisecond part of an entry id.
    static func millis(ofEntryID id: String) -> Int64 {
        Int64(id.prefix { $0 != "-" }) ?? 0
    }
}
