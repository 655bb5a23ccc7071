import FlashSaleWorker
extension ReleasedOrder {
    /// Parses `id, sku, user, qty` at `items[start...]`.
    static func parse(_ items: [RedisValue], at start: Int) -> ReleasedOrder? {
        guard items.count >= start + 4, let id = items[start].string, let sku = items[start + 1].string,
            let user = items[start + 2].string, let quantity = items[start + 3].int
        else { return nil }
        return ReleasedOrder(orderID: id, sku: sku, user: user, quantity: quantity)
    }
}

extension FlashSaleScripts {
    /// Lua shared by pay, cancel and the expiry sweep: moves a reserved order to `status`
    /// (`cancelled` or `expired`) and its units back to the pool, fixing buyer units,
    /// counts, the expiry set and the event stream. Keys of the order's SKU are built
    /// from the sale prefix `fs:{S}:` (same hash tag, so the same slot).
    static let releaseLua = #"""
        local function release(prefix, expiry, events, cap, okey, id, sku, user, qs, status, now)
          local qty = tonumber(qs)
          redis.call('HSET', okey, 'status', status, status .. '_at', now)
          redis.call('INCRBY', prefix .. 'pool:' .. sku, qty)
          local buyers = prefix .. 'buyers:' .. sku
          if redis.call('HINCRBY', buyers, user, -qty) <= 0 then redis.call('HDEL', buyers, user) end
          local counts = prefix .. 'counts:' .. sku
          redis.call('HINCRBY', counts, 'reserved', -qty)
          redis.call('HINCRBY', counts, status, qty)
          redis.call('ZREM', expiry, id)
          redis.call('XADD', events, 'MAXLEN', '~', cap, '*', 'type', status, 'order', id, 'sku', sku,
            'user', user, 'qty', qs, 'at', now)
        end

        """#
}
