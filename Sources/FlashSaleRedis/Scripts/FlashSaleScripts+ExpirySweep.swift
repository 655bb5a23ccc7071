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
            script: expirySweep, keys: [keys.expiry, keys.events],
            arguments: [keys.prefix, String(nowMillis), String(limit), String(eventsMaxLength)])
    }

    /// Expires due reservations (`expires_at <= now`): status `expired`, units back to the
    /// pool, buyer units and counts fixed, `expired` events.
    ///
    /// KEYS: `fs:{S}:expiry`, `fs:{S}:events`. ARGV: `fs:{S}:` prefix, now, limit, events cap.
    /// Reply: `{more (0|1), id, sku, user, qty, id, sku, user, qty, …}`. An expiry entry
    /// whose order is no longer reserved is dropped without counting.
    public static let expirySweep = RedisScript(name: "expiry_sweep", source: releaseLua + #"""
        local prefix, now, limit, cap = ARGV[1], ARGV[2], math.max(1, math.floor(tonumber(ARGV[3]) or 1)), ARGV[4]
        local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, limit)
        local out = {0}
        if #due >= limit then out[1] = 1 end
        for _, id in ipairs(due) do
          local okey = prefix .. 'order:' .. id
          local f = redis.call('HMGET', okey, 'status', 'sku', 'user', 'qty')
          if f[1] == 'reserved' then
            release(prefix, KEYS[1], KEYS[2], cap, okey, id, f[2], f[3], f[4], 'expired', now)
            out[#out + 1] = id
            out[#out + 1] = f[2]
            out[#out + 1] = f[3]
            out[#out + 1] = tonumber(f[4])
          else
            redis.call('ZREM', KEYS[1], id)
          end
        end
        return out
        """#)
}
