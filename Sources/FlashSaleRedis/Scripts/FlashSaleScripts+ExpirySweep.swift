import FlashSaleWorker
extension SweepOutcome {
    /// Parses the reply of `FlashSaleScripts.expirySweep`.
    public static func parse(_ reply: RedisValue) throws -> SweepOutcome {
        let script = FlashSaleScripts.expirySweep
        let items = try reply.checkedScriptReply(script).elements
        guard let more = items.first?.int, (items.count - 1) % 4 == 0 else {
            throw FlashSaleScriptError.unexpectedReply(script: script.name, reply: reply)
        }
        var expired: [ReleasedOrder] = []
        var index = 1
        while index < items.count {
            guard let order = ReleasedOrder.parse(items, at: index) else {
                throw FlashSaleScriptError.unexpectedReply(script: script.name, reply: reply)
            }
            expired.append(order)
            index += 4
        }
        return SweepOutcome(expired: expired, more: more != 0)
    }
}

extension FlashSaleScripts {
    /// Builds an expiry sweep: expire at most `limit` reservations due at `nowMillis`.
    public static func expirySweepCall(
        sale: String, nowMillis: Int64, limit: Int = 500, eventsMaxLength: Int = defaultEventsMaxLength
    ) -> FlashSaleScriptCall {
        let keys = FlashSaleKeys(sale: sale)
        return FlashSaleScriptCall(
            script: expirySweep, keys: [keys.expiry, keys.events, keys.orders, keys.saleHash],
            arguments: [keys.prefix, String(nowMillis), String(limit), String(eventsMaxLength)])
    }

    /// Expires due reservations (`expires_at <= now`): status `expired`, units back to the
    /// pool, buyer units and counts fixed, one `expired` event entry for all of them.
    ///
    /// KEYS: `fs:{S}:expiry`, `fs:{S}:events`, `fs:{S}:orders`, `fs:{S}:sale`.
    /// ARGV: `fs:{S}:` prefix, now, limit, events cap.
    /// Walks the expiry seconds due (score ≤ now) oldest first and each second's list from
    /// its head: an id whose order is no longer reserved is dropped; a reserved one due is
    /// expired; the first one not yet due ends that second for this call. At most `limit`
    /// orders are expired and `4 × limit` ids looked at per call.
    /// Reply: `{more (0|1), id, sku, user, qty, id, sku, user, qty, …}`.
    public static let expirySweep = RedisScript(name: "expiry_sweep", source: releaseLua + #"""
        local prefix, now, limit, cap = ARGV[1], ARGV[2], math.max(1, math.floor(tonumber(ARGV[3]) or 1)), ARGV[4]
        local nownum = tonumber(now)
        local out, ev = {0}, {}
        local expired, looked = 0, 0
        local seconds = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit)
        for _, second in ipairs(seconds) do
          local key = prefix .. 'expiry:' .. second
          local stop = false
          while not stop do
            local want = math.min(limit - expired, 4 * limit - looked)
            if want <= 0 then out[1] = 1; break end
            local ids = redis.call('LRANGE', key, 0, want - 1)
            local done = 0
            for _, id in ipairs(ids) do
              local o = read_order(KEYS[3], id)
              if o and o.status == 'reserved' then
                if tonumber(o.expires) > nownum then stop = true; break end
                release(prefix, KEYS[3], o, 'expired', now)
                expired = expired + 1
                out[#out + 1] = id
                out[#out + 1] = o.sku
                out[#out + 1] = o.user
                out[#out + 1] = tonumber(o.qs)
                ev[#ev + 1] = id
                ev[#ev + 1] = event_value(o)
              end
              done = done + 1
            end
            looked = looked + done
            if done > 0 then redis.call('LTRIM', key, done, -1) end
            if #ids < want and not stop then
              -- The list is empty now (LTRIM deleted it): the second is done.
              redis.call('ZREM', KEYS[1], second)
              stop = true
            end
          end
          if out[1] == 1 then break end
        end
        if #ev > 0 then
          local currency = redis.call('HGET', KEYS[4], 'currency') or 'XXX'
          for i = 1, #ev, 2000 do
            redis.call('XADD', KEYS[2], 'MAXLEN', '~', cap, '*', 'type', 'expired', 'at', now, 'currency', currency,
              unpack(ev, i, math.min(i + 1999, #ev)))
          end
        end
        return out
        """#)
}
