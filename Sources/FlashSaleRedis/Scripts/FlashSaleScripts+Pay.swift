import FlashSaleWorker
extension PayOutcome {
    /// Parses the reply of `FlashSaleScripts.pay`.
    public static func parse(_ reply: RedisValue) throws -> PayOutcome {
        let script = FlashSaleScripts.pay
        let items = try reply.checkedScriptReply(script).elements
        switch items.first?.string {
        case "paid":
            if let order = ReleasedOrder.parse(items, at: 1) {
                return .paid(orderID: order.orderID, sku: order.sku, user: order.user, quantity: order.quantity)
            }
        case "already_paid": return .alreadyPaid
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
    /// Builds a pay call for `orderID` at `nowMillis`.
    public static func payCall(
        sale: String, orderID: String, nowMillis: Int64, eventsMaxLength: Int = defaultEventsMaxLength
    ) -> FlashSaleScriptCall {
        let keys = FlashSaleKeys(sale: sale)
        return FlashSaleScriptCall(
            script: pay, keys: [keys.order(orderID), keys.expiry, keys.events],
            arguments: [keys.prefix, String(nowMillis), String(eventsMaxLength)])
    }

    /// Pays a reservation, fenced against expiry and cancellation.
    ///
    /// KEYS: `fs:{S}:order:{id}`, `fs:{S}:expiry`, `fs:{S}:events`.
    /// ARGV: `fs:{S}:` prefix, now, events cap.
    /// Only a `reserved` order with `now < expires_at` becomes `paid` (counts `reserved`
    /// → `paid`, expiry entry removed, `paid` event). At or after `expires_at` the order
    /// is expired on the spot (as the sweep would) and the payment refused, so a late
    /// payment can never resurrect a unit that went, or is about to go, back to the pool.
    /// Reply: `{paid, id, sku, user, qty}` | `{already_paid}` | `{not_found}` |
    /// `{not_reserved, status}` | `{expired, id, sku, user, qty}`.
    public static let pay = RedisScript(name: "pay", source: releaseLua + #"""
        local f = redis.call('HMGET', KEYS[1], 'status', 'sku', 'user', 'qty', 'expires_at')
        if not f[1] then return {'not_found'} end
        if f[1] == 'paid' then return {'already_paid'} end
        if f[1] ~= 'reserved' then return {'not_reserved', f[1]} end
        local prefix, now, cap = ARGV[1], ARGV[2], ARGV[3]
        -- The order id is the key's suffix (the hash holds no `id` field).
        local id, sku, user, qs = string.sub(KEYS[1], #prefix + 7), f[2], f[3], f[4]
        if tonumber(now) >= tonumber(f[5]) then
          release(prefix, KEYS[2], KEYS[3], cap, KEYS[1], id, sku, user, qs, 'expired', now)
          return {'expired', id, sku, user, tonumber(qs)}
        end
        local qty = tonumber(qs)
        redis.call('HSET', KEYS[1], 'status', 'paid', 'paid_at', now)
        local counts = prefix .. 'counts:' .. sku
        redis.call('HINCRBY', counts, 'reserved', -qty)
        redis.call('HINCRBY', counts, 'paid', qty)
        redis.call('ZREM', KEYS[2], id)
        redis.call('XADD', KEYS[3], 'MAXLEN', '~', cap, '*', 'type', 'paid', 'order', id, 'sku', sku,
          'user', user, 'qty', qs, 'at', now)
        return {'paid', id, sku, user, qty}
        """#)
}
