import FlashSaleLoop
import FlashSaleWorker

/// The packed order record of schemas 2 and 3 (`fs:{S}:orders`, field = order id) and the
/// order value of an event entry (`fs:{S}:events`): space-separated tokens, documented
/// in docs/redis-schema.md. No token holds a space (SKUs, user ids, idempotency keys,
/// carriers and tracking numbers are validated to have none).
///
/// Record (schema 3): `<status> <sku> <user> <qty> <amount> <created_at> <expires_at> <closed_at>`
/// (`closed_at` 0 while reserved); a fulfilled order adds ` <fulfilled_at> <carrier> <tracking>`.
/// A schema-2 sale's record has a ninth token, `<idem>` (the key, or empty), before those
/// three (``FlushOrderFields/keyInRecord``); schema 3 keeps no key: a keyed order's id is
/// derived from it. Event value:
/// `<sku> <user> <qty> <amount>`.
///
/// The writer fills one reusable buffer (no allocation per order once it has grown).
public struct OrderRecordText {
    private var bytes: [UInt8] = []

    /// A writer whose buffer starts with room for `capacity` bytes.
    public init(capacity: Int) {
        bytes.reserveCapacity(capacity)
    }

    /// Replaces the buffer with the record of a new reservation.
    public mutating func reservedRecord(_ order: some FlushOrderFields) {
        bytes.removeAll(keepingCapacity: true)
        append("reserved ")
        appendEventTokens(order)
        bytes.append(UInt8(ascii: " "))
        append(order.createdAtMillis)
        bytes.append(UInt8(ascii: " "))
        append(order.expiresAtMillis)
        append(" 0")
        if order.keyInRecord {
            bytes.append(UInt8(ascii: " "))
            if let key = order.idempotencyKey { append(key) }
        }
    }

    /// Replaces the buffer with the order's event value.
    public mutating func eventValue(_ order: some FlushOrderFields) {
        bytes.removeAll(keepingCapacity: true)
        appendEventTokens(order)
    }

    /// Calls `body` with the buffer's bytes.
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        bytes.withUnsafeBytes(body)
    }

    private mutating func appendEventTokens(_ order: some FlushOrderFields) {
        append(order.skuName)
        bytes.append(UInt8(ascii: " "))
        append(order.user)
        bytes.append(UInt8(ascii: " "))
        append(Int64(order.qty))
        bytes.append(UInt8(ascii: " "))
        append(order.amountMinorUnits)
    }

    private mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { bytes.append(contentsOf: $0) }
    }

    private mutating func append(_ value: Int64) {
        ASCIIDecimal.withDigits(value) { bytes.append(contentsOf: $0) }
    }
}

extension OrderRecord {
    /// Reads a packed record of `fs:{sale}:orders` (field `orderID`) into the fields the
    /// API shows: `status`, `sku`, `user`, `qty`, `amount`, `created_at`, `expires_at`,
    /// `<status>_at` once closed (`paid_at` kept after fulfilment), `idem` when a schema-2
    /// record has one, `fulfilled_at`, `carrier`, `tracking` once fulfilled. nil for a
    /// malformed record. Schema 3 has 8 tokens (11 fulfilled), schema 2 has 9 (12).
    public init?(sale: String, orderID: String, packed: String) {
        var tokens = packed.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        switch tokens.count {
        case 8, 11: tokens.insert("", at: 8)
        case 9, 12: break
        default: return nil
        }
        var fields: [String: String] = [
            "status": tokens[0], "sku": tokens[1], "user": tokens[2], "qty": tokens[3], "amount": tokens[4],
            "created_at": tokens[5], "expires_at": tokens[6],
        ]
        let closedStatus = tokens[0] == "fulfilled" ? "paid" : tokens[0]
        if tokens[7] != "0" { fields[closedStatus + "_at"] = tokens[7] }
        if !tokens[8].isEmpty { fields["idem"] = tokens[8] }
        if tokens.count >= 12 {
            fields["fulfilled_at"] = tokens[9]
            fields["carrier"] = tokens[10]
            fields["tracking"] = tokens[11]
        }
        self.init(sale: sale, orderID: orderID, fields: fields)
    }
}
