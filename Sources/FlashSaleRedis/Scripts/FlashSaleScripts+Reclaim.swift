import FlashSaleWorker
extension ReclaimOutcome {
    /// Parses the reply of `FlashSaleScripts.reclaim`.
    public static func parse(_ reply: RedisValue) throws -> ReclaimOutcome {
        let script = FlashSaleScripts.reclaim
        let items = try reply.checkedScriptReply(script).elements
        guard items.count % 2 == 0 else { throw FlashSaleScriptError.unexpectedReply(script: script.name, reply: reply) }
        var returned: [String: Int64] = [:]
        var index = 0
        while index < items.count {
            guard let sku = items[index].string, let units = items[index + 1].int else {
                throw FlashSaleScriptError.unexpectedReply(script: script.name, reply: reply)
            }
            returned[sku] = units
            index += 2
        }
        return ReclaimOutcome(returned: returned)
    }
}

extension FlashSaleScripts {
    /// Builds a reclaim call: node `node` (restarting with the same id) hands back every
    /// lease held by `node` itself or by one of its workers (`<node>/<anything>`), for
    /// `skus`, or for every SKU of the sale when `skus` is empty.
    public static func reclaimCall(sale: String, node: String, skus: [String] = []) -> FlashSaleScriptCall {
        let keys = FlashSaleKeys(sale: sale)
        return FlashSaleScriptCall(
            script: reclaim, keys: [keys.saleHash], arguments: [keys.prefix, node] + skus)
    }

    /// Returns a node's stale leases to the pools.
    ///
    /// KEYS: `fs:{S}:sale`. ARGV: `fs:{S}:` prefix, node id, SKUs (none = all of the sale).
    /// The node's workers leave `fs:{S}:holders` too.
    /// Reply: `{sku, units, sku, units, …}` for SKUs where something was returned.
    /// Call it before the restarted node's workers lease again.
    public static let reclaim = RedisScript(name: "reclaim", source: #"""
        local prefix, node = ARGV[1], ARGV[2]
        local skus = {}
        if #ARGV > 2 then
          for i = 3, #ARGV do skus[#skus + 1] = ARGV[i] end
        else
          for s in string.gmatch(redis.call('HGET', KEYS[1], 'skus') or '', '[^,]+') do skus[#skus + 1] = s end
        end
        local mine = node .. '/'
        local out = {}
        for _, sku in ipairs(skus) do
          local leases = prefix .. 'leases:' .. sku
          local all = redis.call('HGETALL', leases)
          local units = 0
          for i = 1, #all, 2 do
            local w = all[i]
            if w == node or string.sub(w, 1, #mine) == mine then
              units = units + tonumber(all[i + 1])
              redis.call('HDEL', leases, w)
            end
          end
          if units > 0 then
            redis.call('INCRBY', prefix .. 'pool:' .. sku, units)
            out[#out + 1] = sku
            out[#out + 1] = units
          end
        end
        local holders = prefix .. 'holders'
        for _, w in ipairs(redis.call('HKEYS', holders)) do
          if w == node or string.sub(w, 1, #mine) == mine then redis.call('HDEL', holders, w) end
        end
        return out
        """#)
}
