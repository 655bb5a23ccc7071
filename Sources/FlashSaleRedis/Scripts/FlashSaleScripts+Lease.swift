import FlashSaleWorker

extension LeaseOutcome {
    /// Parses the reply of `FlashSaleScripts.lease` or `FlashSaleScripts.leaseReturn`.
    public static func parse(_ reply: RedisValue, script: RedisScript = FlashSaleScripts.lease) throws -> LeaseOutcome {
        let items = try reply.checkedScriptReply(script).elements
        guard items.count == 3 || items.count == 4, let units = items[0].int, let pool = items[1].int,
            let held = items[2].int
        else {
            throw FlashSaleScriptError.unexpectedReply(script: script.name, reply: reply)
        }
        if units < 0 { return .unknownSKU }
        let elsewhere = items.count == 4 ? max(0, items[3].int ?? 0) : 0
        return .changed(LeaseChange(units: units, poolAfter: pool, heldAfter: held, leasedElsewhere: elsewhere))
    }
}

extension FlashSaleScripts {
    /// Builds a lease call: take `min(pool, want)` units for `worker`.
    public static func leaseCall(sale: String, sku: String, worker: String, want: Int64) -> FlashSaleScriptCall {
        let keys = FlashSaleKeys(sale: sale)
        return FlashSaleScriptCall(
            script: lease, keys: [keys.pool(sku), keys.leases(sku), keys.holders], arguments: [worker, String(want)])
    }

    /// Builds a lease return call: give back `units` (clamped to what `worker` holds),
    /// or everything it holds when `units` is nil.
    public static func leaseReturnCall(sale: String, sku: String, worker: String, units: Int64?) -> FlashSaleScriptCall {
        let keys = FlashSaleKeys(sale: sale)
        return FlashSaleScriptCall(
            script: leaseReturn, keys: [keys.pool(sku), keys.leases(sku), keys.holders, keys.saleHash],
            arguments: [worker, units.map { String($0) } ?? "all", keys.prefix])
    }

    /// Leases stock to a worker.
    ///
    /// KEYS: `fs:{S}:pool:{sku}`, `fs:{S}:leases:{sku}`, `fs:{S}:holders`. ARGV: worker id, want.
    /// A grant records the worker in `fs:{S}:holders` with the Redis `TIME` (ms) as its beat.
    /// Reply: `{granted, pool_after, held_after, leased_elsewhere}`; `{-1, 0, 0}` when the
    /// pool key is missing. `leased_elsewhere` (Σ leases of the other workers) is summed
    /// only at the tail, when the pool could not cover `want` or is empty after the grant,
    /// else 0: the worker then waits for those units instead of answering sold out.
    public static let lease = RedisScript(name: "lease", source: #"""
        local pool = redis.call('GET', KEYS[1])
        if not pool then return {-1, 0, 0} end
        pool = tonumber(pool)
        local want = tonumber(ARGV[2]) or 0
        local granted = want
        if pool < granted then granted = pool end
        local held
        if granted <= 0 then
          held = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
        else
          pool = redis.call('DECRBY', KEYS[1], granted)
          held = redis.call('HINCRBY', KEYS[2], ARGV[1], granted)
          local t = redis.call('TIME')
          redis.call('HSET', KEYS[3], ARGV[1], t[1] * 1000 + math.floor(t[2] / 1000))
        end
        local elsewhere = 0
        if granted < want or pool <= 0 then
          for _, v in ipairs(redis.call('HVALS', KEYS[2])) do elsewhere = elsewhere + (tonumber(v) or 0) end
          elsewhere = elsewhere - held
        end
        return {granted, pool, held, elsewhere}
        """#)

    /// Returns leased units to the pool.
    ///
    /// KEYS: `fs:{S}:pool:{sku}`, `fs:{S}:leases:{sku}`, `fs:{S}:holders`, `fs:{S}:sale`.
    /// ARGV: worker id, units or `all`, `fs:{S}:` prefix.
    /// Reply: `{returned, pool_after, held_after}` (returned is clamped to what the worker
    /// holds; a lease that reaches 0 is deleted, and when the worker then holds no lease of
    /// any SKU of the sale its `fs:{S}:holders` entry goes too); `{-1, 0, 0}` when the pool
    /// key is missing.
    public static let leaseReturn = RedisScript(name: "lease_return", source: #"""
        local pool = redis.call('GET', KEYS[1])
        if not pool then return {-1, 0, 0} end
        local held = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
        local n = held
        if ARGV[2] ~= 'all' then n = tonumber(ARGV[2]) or 0 end
        if n > held then n = held end
        if n <= 0 then return {0, tonumber(pool), held} end
        held = held - n
        if held == 0 then
          redis.call('HDEL', KEYS[2], ARGV[1])
          local holds = false
          for sku in string.gmatch(redis.call('HGET', KEYS[4], 'skus') or '', '[^,]+') do
            if redis.call('HEXISTS', ARGV[3] .. 'leases:' .. sku, ARGV[1]) == 1 then holds = true break end
          end
          if not holds then redis.call('HDEL', KEYS[3], ARGV[1]) end
        else
          redis.call('HSET', KEYS[2], ARGV[1], held)
        end
        return {n, redis.call('INCRBY', KEYS[1], n), held}
        """#)
}
