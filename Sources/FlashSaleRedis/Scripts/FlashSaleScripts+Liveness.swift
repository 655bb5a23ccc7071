import FlashSaleWorker

extension HolderBeat {
    /// Parses the reply of `FlashSaleScripts.holderBeat`.
    public static func parse(_ reply: RedisValue) throws -> HolderBeat {
        let script = FlashSaleScripts.holderBeat
        switch try reply.checkedScriptReply(script).int {
        case 1: return .alive
        case 0: return .notHolder
        case -1: return .released
        default: throw FlashSaleScriptError.unexpectedReply(script: script.name, reply: reply)
        }
    }
}

extension ReapedHolder {
    /// Parses the reply of `FlashSaleScripts.reap`: `{worker, units, worker, units, …}`.
    public static func parseAll(_ reply: RedisValue) throws -> [ReapedHolder] {
        let script = FlashSaleScripts.reap
        let items = try reply.checkedScriptReply(script).elements
        guard items.count % 2 == 0 else { throw FlashSaleScriptError.unexpectedReply(script: script.name, reply: reply) }
        var reaped: [ReapedHolder] = []
        var index = 0
        while index < items.count {
            guard let worker = items[index].string, let units = items[index + 1].int else {
                throw FlashSaleScriptError.unexpectedReply(script: script.name, reply: reply)
            }
            reaped.append(ReapedHolder(worker: worker, units: units))
            index += 2
        }
        return reaped
    }
}

extension FlashSaleScripts {
    /// Builds a heartbeat call: `worker` says it is alive in sale `sale`.
    public static func holderBeatCall(sale: String, worker: String) -> FlashSaleScriptCall {
        let keys = FlashSaleKeys(sale: sale)
        return FlashSaleScriptCall(script: holderBeat, keys: [keys.holders, keys.saleHash], arguments: [worker, keys.prefix])
    }

    /// Builds a reap call: every holder of `sale` whose beat is more than `graceMillis` old
    /// (by Redis `TIME`) loses its leases; `eventsMaxLength` caps `fs:{S}:events`.
    public static func reapCall(
        sale: String, graceMillis: Int64, eventsMaxLength: Int = defaultEventsMaxLength
    ) -> FlashSaleScriptCall {
        let keys = FlashSaleKeys(sale: sale)
        return FlashSaleScriptCall(
            script: reap, keys: [keys.saleHash, keys.holders, keys.events],
            arguments: [keys.prefix, String(graceMillis), String(eventsMaxLength)])
    }

    /// A lease holder's heartbeat.
    ///
    /// KEYS: `fs:{S}:holders`, `fs:{S}:sale`. ARGV: worker id, `fs:{S}:` prefix.
    /// Reply: `1` the worker is a holder and still leases units of some SKU: its beat is now
    /// (Redis `TIME`, ms); `0` the worker is not in `fs:{S}:holders` (reaped, or it never
    /// held a lease): its leases of the sale are gone; `-1` it was a holder but no lease of
    /// any SKU is left (sold or returned): its entry is deleted.
    public static let holderBeat = RedisScript(name: "holder_beat", source: #"""
        if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then return 0 end
        for sku in string.gmatch(redis.call('HGET', KEYS[2], 'skus') or '', '[^,]+') do
          if redis.call('HEXISTS', ARGV[2] .. 'leases:' .. sku, ARGV[1]) == 1 then
            local t = redis.call('TIME')
            redis.call('HSET', KEYS[1], ARGV[1], t[1] * 1000 + math.floor(t[2] / 1000))
            return 1
          end
        end
        redis.call('HDEL', KEYS[1], ARGV[1])
        return -1
        """#)

    /// The reaper: leases of silent holders go back to the pool.
    ///
    /// KEYS: `fs:{S}:sale`, `fs:{S}:holders`, `fs:{S}:events`. ARGV: `fs:{S}:` prefix, grace
    /// (ms), events cap. Every holder whose beat is more than the grace older than Redis
    /// `TIME` loses its field in `fs:{S}:leases:{sku}` of every SKU (the units go back to
    /// `fs:{S}:pool:{sku}`) and its `fs:{S}:holders` entry, and one `lease_reaped` event is
    /// appended per reaped holder: `type`, `worker`, `units` (total), `skus`
    /// (`sku:units,…`, SKUs with units only), `silent_ms`, `at` (ms).
    /// Reply: `{worker, units, worker, units, …}`, one pair per reaped holder.
    public static let reap = RedisScript(name: "reap", source: #"""
        local prefix, grace, cap = ARGV[1], tonumber(ARGV[2]), ARGV[3]
        local all = redis.call('HGETALL', KEYS[2])
        if #all == 0 then return {} end
        local t = redis.call('TIME')
        local now = t[1] * 1000 + math.floor(t[2] / 1000)
        local skus = {}
        for s in string.gmatch(redis.call('HGET', KEYS[1], 'skus') or '', '[^,]+') do skus[#skus + 1] = s end
        local out = {}
        for i = 1, #all, 2 do
          local worker, beat = all[i], tonumber(all[i + 1]) or 0
          if now - beat > grace then
            local total, parts = 0, {}
            for _, sku in ipairs(skus) do
              local leases = prefix .. 'leases:' .. sku
              local units = tonumber(redis.call('HGET', leases, worker) or '0')
              if units > 0 then
                redis.call('HDEL', leases, worker)
                redis.call('INCRBY', prefix .. 'pool:' .. sku, units)
                total = total + units
                parts[#parts + 1] = sku .. ':' .. units
              end
            end
            redis.call('HDEL', KEYS[2], worker)
            redis.call('XADD', KEYS[3], 'MAXLEN', '~', cap, '*', 'type', 'lease_reaped', 'worker', worker,
              'units', total, 'skus', table.concat(parts, ','), 'silent_ms', now - beat, 'at', now)
            out[#out + 1] = worker
            out[#out + 1] = total
          end
        end
        return out
        """#)
}
