import FlashSaleWorker

extension StockChangeOutcome {
    /// Parses the reply of `FlashSaleScripts.stockChange`.
    public static func parse(_ reply: RedisValue) throws -> StockChangeOutcome {
        let script = FlashSaleScripts.stockChange
        let items = try reply.checkedScriptReply(script).elements
        switch (items.first?.string, items.count) {
        case ("changed", 3): if let total = items[1].int, let pool = items[2].int { return .changed(total: total, pool: pool) }
        case ("no_sale", 1): return .saleNotFound
        case ("no_sku", 1): return .skuNotFound
        case ("insufficient_pool", 2): if let pool = items[1].int { return .insufficientPool(pool: pool) }
        case ("above_maximum", 3):
            if let total = items[1].int, let maximum = items[2].int { return .aboveMaximum(total: total, maximum: maximum) }
        default: break
        }
        throw FlashSaleScriptError.unexpectedReply(script: script.name, reply: reply)
    }
}

extension FlashSaleScripts {
    /// Builds a stock change call: `delta` units (negative: a removal) for `sku` of `sale`.
    public static func stockChangeCall(
        sale: String, sku: String, delta: Int64, maximum: Int64, nowMillis: Int64
    ) -> FlashSaleScriptCall {
        let keys = FlashSaleKeys(sale: sale)
        return FlashSaleScriptCall(
            script: stockChange, keys: [keys.saleHash, keys.pool(sku), keys.counts(sku)],
            arguments: [sku, String(delta), String(maximum), String(nowMillis)])
    }

    /// Changes a SKU's stock at any time, also while the sale is live: `counts.total` and
    /// the pool move by the same `delta` in one step, so `total = pool + Σ leases +
    /// reserved + paid` holds before and after. Only the pool can shrink (units leased to
    /// engines or sold are not taken back); engines see the change through their next
    /// lease. The sale's `revision` grows so that engines reload its totals.
    ///
    /// KEYS: `fs:{S}:sale`, `fs:{S}:pool:{sku}`, `fs:{S}:counts:{sku}`.
    /// ARGV: sku, delta (non-zero integer), the largest total allowed, now.
    /// Reply: `{changed, total, pool}` | `{no_sale}` | `{no_sku}` | `{insufficient_pool, pool}` |
    /// `{above_maximum, total it would be, maximum}`; nothing changes unless `changed`.
    public static let stockChange = RedisScript(name: "stock_change", source: #"""
        local sku, delta, maximum, now = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
        if not (delta and maximum) or delta == 0 or delta ~= math.floor(delta) then
          return redis.error_reply('stock_change: delta must be a non-zero integer')
        end
        local sale = redis.call('HMGET', KEYS[1], 'skus', 'schema')
        if not sale[1] or (sale[2] ~= '2' and sale[2] ~= '3') then return {'no_sale'} end
        local found = false
        for s in string.gmatch(sale[1], '[^,]+') do
          if s == sku then found = true break end
        end
        local total = redis.call('HGET', KEYS[3], 'total')
        if not found or not total then return {'no_sku'} end
        total = tonumber(total)
        local pool = tonumber(redis.call('GET', KEYS[2]) or '0')
        if delta < 0 and pool < -delta then return {'insufficient_pool', pool} end
        if total + delta > maximum then return {'above_maximum', total + delta, maximum} end
        redis.call('INCRBY', KEYS[2], delta)
        redis.call('HINCRBY', KEYS[3], 'total', delta)
        redis.call('HSET', KEYS[1], 'updated_at', now)
        redis.call('HINCRBY', KEYS[1], 'revision', 1)
        return {'changed', total + delta, pool + delta}
        """#)
}
