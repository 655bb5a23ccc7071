import FlashSaleWorker
extension CancelOutcome {
    /// Parses the reply of `FlashSaleScripts.cancel`.
    public static func parse(_ reply: RedisValue) throws -> CancelOutcome {
        let script = FlashSaleScripts.cancel
        let items = try reply.checkedScriptReply(script).elements
        switch items.first?.string {
        case "cancelled":
            if let order = ReleasedOrder.parse(items, at: 1) { return .cancelled(order) }
        case "not_found": return .notFound
        case "not_reserved":
            if items.count == 2, let status = items[1].string { return .notReserved(status: status) }
        case "expired":
            if let order = ReleasedOrder.parse(items, at: 1) { return .expiredNow(order) }
        default: break
        }
        throw FlashSaleScriptError.unexpectedReply(script: script.name, reply: reply)
    }
}

extension FlashSaleScripts {
    /// Builds a cancel call: `user` cancels `orderID` at `nowMillis`.
    public static func cancelCall(
        sale: String, orderID: String, user: String, nowMillis: Int64,
        eventsMaxLength: Int = defaultEventsMaxLength
    ) -> FlashSaleScriptCall {
        let keys = FlashSaleKeys(sale: sale)
        return FlashSaleScriptCall(
            script: cancel, keys: [keys.order(orderID), keys.expiry, keys.events],
            arguments: [keys.prefix, user, String(nowMillis), String(eventsMaxLength)])
    }

    /// Cancels a reservation on behalf of its buyer.
    ///
    /// KEYS: `fs:{S}:order:{id}`, `fs:{S}:expiry`, `fs:{S}:events`.
    /// ARGV: `fs:{S}:` prefix, user, now, events cap.
    /// Reply: `{cancelled, id, sku, user, qty}` | `{not_found}` | `{not_reserved, status}` |
    /// `{expired, id, sku, user, qty}`.
    public static let cancel = RedisScript(name: "cancel", source: releaseLua + #"""
        local f = redis.call('HMGET', KEYS[1], 'status', 'sku', 'user', 'qty', 'expires_at')
        if not f[1] or f[3] ~= ARGV[2] then return {'not_found'} end
        if f[1] ~= 'reserved' then return {'not_reserved', f[1]} end
        local prefix, now, cap = ARGV[1], ARGV[3], ARGV[4]
        local status = 'cancelled'
        if tonumber(now) >= tonumber(f[5]) then status = 'expired' end
        -- The order id is the key's suffix (the hash holds no `id` field).
        local id = string.sub(KEYS[1], #prefix + 7)
        release(prefix, KEYS[2], KEYS[3], cap, KEYS[1], id, f[2], f[3], f[4], status, now)
        return {status, id, f[2], f[3], tonumber(f[4])}
        """#)
}
