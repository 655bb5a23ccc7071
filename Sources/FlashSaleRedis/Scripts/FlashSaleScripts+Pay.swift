import FlashSaleWorker
extension PayOutcome {
    /// Parses the reply of `FlashSaleScripts.pay`.
    public static func parse(_ reply: RedisValue) throws -> PayOutcome {
        try FlashSaleScripts.parseOrderMove(reply, of: FlashSaleScripts.pay) { kind, items in
            switch kind {
            case "paid":
                ReleasedOrder.parse(items, at: 1).map {
                    .paid(orderID: $0.orderID, sku: $0.sku, user: $0.user, quantity: $0.quantity)
                }
            case "already_paid": .alreadyPaid
            default: nil
            }
        }
    }
}

extension FlashSaleScripts {
    /// Builds a pay call for `orderID` at `nowMillis`.
    public static func payCall(
        sale: String, orderID: String, nowMillis: Int64, eventsMaxLength: Int = defaultEventsMaxLength
    ) -> FlashSaleScriptCall {
        let keys = FlashSaleKeys(sale: sale)
        return FlashSaleScriptCall(
            script: pay, keys: [keys.orders, keys.events, keys.saleHash],
            arguments: [keys.prefix, orderID, String(nowMillis), String(eventsMaxLength)])
    }

    /// Pays a reservation, fenced against expiry and cancellation.
    ///
    /// KEYS: `fs:{S}:orders`, `fs:{S}:events`, `fs:{S}:sale`.
    /// ARGV: `fs:{S}:` prefix, order id, now, events cap.
    /// Only a `reserved` order with `now < expires_at` becomes `paid` (counts `reserved`
    /// → `paid`, `paid` event). At or after `expires_at` the order
    /// is expired on the spot (as the sweep would) and the payment refused, so a late
    /// payment can never resurrect a unit that went, or is about to go, back to the pool.
    /// A payment refused because the order is (or just became) `expired` or `cancelled`
    /// appends a `payment_unmatched` event (the money has to go back).
    /// Reply: `{paid, id, sku, user, qty}` | `{already_paid}` | `{not_found}` |
    /// `{not_reserved, status}` | `{expired, id, sku, user, qty}`.
    public static let pay = RedisScript(name: "pay", source: releaseLua + #"""
        local prefix, id, now, cap = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
        local o = read_order(KEYS[1], id)
        if not o then return {'not_found'} end
        if o.status == 'paid' or o.status == 'fulfilled' then return {'already_paid'} end
        local currency = redis.call('HGET', KEYS[3], 'currency') or 'XXX'
        if o.status ~= 'reserved' then
          event(KEYS[2], cap, 'payment_unmatched', now, currency, o, ' ' .. o.status)
          return {'not_reserved', o.status}
        end
        if tonumber(now) >= tonumber(o.expires) then
          release(prefix, KEYS[1], o, 'expired', now)
          event(KEYS[2], cap, 'expired', now, currency, o)
          event(KEYS[2], cap, 'payment_unmatched', now, currency, o, ' expired')
          return {'expired', id, o.sku, o.user, tonumber(o.qs)}
        end
        local qty = tonumber(o.qs)
        o.status, o.closed = 'paid', now
        write_order(KEYS[1], o)
        local counts = prefix .. 'counts:' .. o.sku
        redis.call('HINCRBY', counts, 'reserved', -qty)
        redis.call('HINCRBY', counts, 'paid', qty)
        event(KEYS[2], cap, 'paid', now, currency, o)
        return {'paid', id, o.sku, o.user, qty}
        """#)
}
