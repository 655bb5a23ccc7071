import FlashSaleWorker
extension CancelOutcome {
    /// Parses the reply of `FlashSaleScripts.cancel`.
    public static func parse(_ reply: RedisValue) throws -> CancelOutcome {
        try FlashSaleScripts.parseOrderMove(reply, of: FlashSaleScripts.cancel) { kind, items in
            kind == "cancelled" ? ReleasedOrder.parse(items, at: 1).map(CancelOutcome.cancelled) : nil
        }
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
            script: cancel, keys: [keys.orders, keys.events, keys.saleHash],
            arguments: [keys.prefix, orderID, user, String(nowMillis), String(eventsMaxLength)])
    }

    /// Cancels a reservation on behalf of its buyer.
    ///
    /// KEYS: `fs:{S}:orders`, `fs:{S}:events`, `fs:{S}:sale`.
    /// ARGV: `fs:{S}:` prefix, order id, user, now, events cap.
    /// Reply: `{cancelled, id, sku, user, qty}` | `{not_found}` | `{not_reserved, status}` |
    /// `{expired, id, sku, user, qty}`.
    public static let cancel = RedisScript(name: "cancel", source: releaseLua + #"""
        local prefix, id, now, cap = ARGV[1], ARGV[2], ARGV[4], ARGV[5]
        local o = read_order(KEYS[1], id)
        if not o or o.user ~= ARGV[3] then return {'not_found'} end
        if o.status ~= 'reserved' then return {'not_reserved', o.status} end
        local status = 'cancelled'
        if tonumber(now) >= tonumber(o.expires) then status = 'expired' end
        release(prefix, KEYS[1], o, status, now)
        event(KEYS[2], cap, status, now, redis.call('HGET', KEYS[3], 'currency') or 'XXX', o)
        return {status, id, o.sku, o.user, tonumber(o.qs)}
        """#)
}
