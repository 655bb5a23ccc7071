/// One order event as the relay delivers it, decoded from one entry of `fs:{S}:events`.
///
/// This file is the only place that knows the entry layout (today schema v1,
/// `docs/redis-schema.md`: `type`, `order`, `sku`, `user`, `qty`, `at`), plus the two
/// fields a `flashsale relay redeliver` entry adds: `webhook_id` (the original
/// delivery's id, kept) and `relay_endpoint` (the one endpoint it is for).
struct RelayEvent {
    /// The sale `S`.
    let sale: String
    /// The stream entry id (`<ms>-<seq>`).
    let entryID: String
    /// `reserved`, `paid`, `cancelled`, `expired` (and whatever later schemas add).
    let type: String
    /// The order id.
    let order: String
    /// The event's other fields, in entry order (`sku`, `user`, `qty`, `at`, …).
    let fields: [(String, String)]
    /// The `webhook-id`: stable across every redelivery of this event.
    let webhookID: String
    /// When the change happened (ms): `at`, else the entry id's time.
    let occurredAtMillis: Int64
    /// Set on a redelivered dead letter: only this endpoint gets it.
    let onlyEndpoint: String?
    /// The entry's fields exactly as stored (kept in a dead letter).
    let rawFields: [(String, String)]

    /// Fields that are integers in the body (JSON numbers); the rest are strings.
    static let integerFields: Set<String> = ["qty", "at", "amount", "created_at", "expires_at"]

    /// The event of entry `entryID` of sale `sale`, or nil when the entry is not an
    /// order event (no `type` or no `order`): the relay acknowledges such entries.
    static func decode(sale: String, entryID: String, fields raw: [(String, String)]) -> RelayEvent? {
        var type: String?
        var order: String?
        var webhookID: String?
        var onlyEndpoint: String?
        var at: Int64?
        var rest: [(String, String)] = []
        rest.reserveCapacity(raw.count)
        for (name, value) in raw {
            switch name {
            case "type": type = value
            case "order": order = value
            case "webhook_id": webhookID = value
            case "relay_endpoint": onlyEndpoint = value
            default:
                if name == "at" { at = Int64(value) }
                rest.append((name, value))
            }
        }
        guard let type, let order, !type.isEmpty, !order.isEmpty else { return nil }
        return RelayEvent(
            sale: sale, entryID: entryID, type: type, order: order, fields: rest,
            webhookID: webhookID ?? Self.webhookID(sale: sale, entryID: entryID),
            occurredAtMillis: at ?? Self.millis(ofEntryID: entryID), onlyEndpoint: onlyEndpoint, rawFields: raw)
    }

    /// `fs_<sale>_<entry id>`: unique per event, the same on every redelivery. A `.` in
    /// the sale id is written `%2E` (Standard Webhooks ids must not contain `.`).
    static func webhookID(sale: String, entryID: String) -> String {
        "fs_" + sale.replacingDots() + "_" + entryID
    }

    /// The millisecond part of an entry id.
    static func millis(ofEntryID id: String) -> Int64 {
        Int64(id.prefix { $0 != "-" }) ?? 0
    }
}

extension String {
    fileprivate func replacingDots() -> String {
        guard utf8.contains(UInt8(ascii: ".")) else { return self }
        var out = ""
        for character in self { out += character == "." ? "%2E" : String(character) }
        return out
    }
}
