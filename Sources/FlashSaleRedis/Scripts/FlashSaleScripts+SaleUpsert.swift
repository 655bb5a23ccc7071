import FlashSaleWorker
import FlashSaleCore


extension SaleUpsertOutcome {
    /// Parses the reply of `FlashSaleScripts.saleUpsert`.
    public static func parse(_ reply: RedisValue) throws -> SaleUpsertOutcome {
        let script = FlashSaleScripts.saleUpsert
        let items = try reply.checkedScriptReply(script).elements
        let code = items.first?.string
        let detail = items.count > 1 ? items[1].string : nil
        switch (code, detail) {
        case ("created", _): return .created
        case ("unchanged", _): return .unchanged
        case ("updated", _): return .updated
        case ("sale_live", let field?): return .saleLive(field: field)
        case ("sku_removed", let sku?): return .skuRemoved(sku: sku)
        case ("invalid", let message?): return .invalid(message)
        case ("stock_below_committed", let sku?):
            if items.count > 2, let committed = items[2].int {
                return .stockBelowCommitted(sku: sku, committed: committed)
            }
        default: break
        }
        throw FlashSaleScriptError.unexpectedReply(script: script.name, reply: reply)
    }
}

extension FlashSaleScripts {
    /// Builds the sale upsert call. `now` is Unix ms.
    ///
    /// `setsSchemaKey` adds the global `fs:schema` key (set to 3). Leave it on for a
    /// single Redis; on Redis Cluster it lives in another slot, so pass `false` and
    /// `SET fs:schema 3` separately.
    ///
    /// `newSaleSalt` is the order-id salt a sale gets if this call creates it (schema 3,
    /// ``OrderIDSalt``); nil draws one from the system's secure generator. An existing sale
    /// keeps its salt, or stays without one (schema 2).
    public static func saleUpsertCall(
        _ sale: SaleConfig, nowMillis: Int64, setsSchemaKey: Bool = true, newSaleSalt: OrderIDSalt? = nil
    ) -> FlashSaleScriptCall {
        let keys = FlashSaleKeys(sale: sale.name)
        var keyList = [keys.saleHash]
        var arguments = [
            sale.name, String(nowMillis), String(sale.startsAtMillis), String(sale.endsAtMillis),
            String(sale.perUserLimit), String(sale.reservationTTLMillis / 1000), String(sale.items.count), sale.currency,
        ]
        keyList.reserveCapacity(2 + 2 * sale.items.count)
        arguments.reserveCapacity(arguments.count + 3 * sale.items.count)
        for item in sale.items {
            keyList.append(keys.pool(item.sku))
            keyList.append(keys.counts(item.sku))
            arguments.append(item.sku)
            arguments.append(String(item.stock))
            arguments.append(String(item.price))
        }
        var generator = SystemRandomNumberGenerator()
        arguments.append((newSaleSalt ?? .random(using: &generator)).hex)
        if setsSchemaKey { keyList.append(FlashSaleKeys.schema) }
        return FlashSaleScriptCall(script: saleUpsert, keys: keyList, arguments: arguments)
    }

    /// Creates or updates a sale.
    ///
    /// KEYS: `fs:{S}:sale`, then per item `fs:{S}:pool:{sku}`, `fs:{S}:counts:{sku}`,
    /// then optionally `fs:schema`.
    /// ARGV: sale id, now, starts_at, ends_at, per_user_limit, reservation_ttl_s, n, currency,
    /// then n × (sku, stock, price), then the order-id salt for a new sale (32 hex digits).
    /// A new sale is schema 3 (`schema` = 3, `id_salt`); a schema-2 sale stays schema 2.
    /// The sale hash keeps `currency` and `price:{sku}` (minor
    /// units; 0 without prices): `XXX` has only 0 prices, any other currency (3 letters
    /// A–Z; the engine checks it is an active ISO 4217 code) only prices 1…10^12.
    /// Reply: `{created}` | `{unchanged}` | `{updated}` | `{sale_live, field}` |
    /// `{stock_below_committed, sku, committed}` | `{sku_removed, sku}` | `{invalid, message}`.
    /// Before the start: stock may grow or shrink (never below what is leased or sold),
    /// SKUs may be added, prices and currency may change. Once live: stock, SKUs, prices,
    /// currency and `starts_at` are frozen; `ends_at`,
    /// `per_user_limit` and `reservation_ttl_s` may change (new limit and TTL apply to
    /// purchases flushed afterwards; nobody loses units already held).
    public static let saleUpsert = RedisScript(name: "sale_upsert", source: #"""
        local sale = KEYS[1]
        local now = tonumber(ARGV[2])
        local starts, ends = tonumber(ARGV[3]), tonumber(ARGV[4])
        local limit, ttl, n = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
        if not (now and starts and ends and limit and ttl and n) then return {'invalid', 'arguments must be integers'} end
        if ends <= starts then return {'invalid', 'ends_at must be after starts_at'} end
        if limit < 1 then return {'invalid', 'per_user_limit must be >= 1'} end
        if ttl <= 0 then return {'invalid', 'reservation_ttl_s must be > 0'} end
        if n < 1 then return {'invalid', 'a sale needs at least one item'} end
        if #KEYS < 1 + 2 * n then return {'invalid', 'missing keys'} end
        local currency = ARGV[8]
        if not currency or not string.find(currency, '^%u%u%u$') then return {'invalid', 'currency must be 3 letters A-Z'} end
        local skus, stocks, prices, seen = {}, {}, {}, {}
        for i = 1, n do
          local sku, stock, price = ARGV[6 + 3 * i], tonumber(ARGV[7 + 3 * i]), ARGV[8 + 3 * i]
          if sku == nil or sku == '' or string.find(sku, ',', 1, true) then return {'invalid', 'bad sku'} end
          if seen[sku] then return {'invalid', 'duplicate sku ' .. sku} end
          if not stock or stock < 0 or stock ~= math.floor(stock) then return {'invalid', 'bad stock for ' .. sku} end
          -- Digits only (a Lua number loses integers beyond 2^53; 10^12 has 13 digits).
          if not price or not string.find(price, '^%d+$') or #price > 13 or tonumber(price) > 1000000000000 then
            return {'invalid', 'bad price for ' .. sku}
          end
          if (currency == 'XXX') ~= (tonumber(price) == 0) then
            return {'invalid', 'price of ' .. sku .. ' must be 0 with currency XXX and 1-10^12 otherwise'}
          end
          seen[sku] = true
          skus[i], stocks[i], prices[i] = sku, stock, tostring(tonumber(price))
        end
        local function set_prices()
          redis.call('HSET', sale, 'currency', currency)
          for i = 1, n do redis.call('HSET', sale, 'price:' .. skus[i], prices[i]) end
        end
        local function init(i)
          redis.call('SET', KEYS[2 * i], stocks[i])
          redis.call('DEL', KEYS[1 + 2 * i])
          redis.call('HSET', KEYS[1 + 2 * i], 'total', stocks[i], 'reserved', 0, 'paid', 0, 'cancelled', 0, 'expired', 0)
        end
        local function schema()
          if #KEYS >= 2 + 2 * n then redis.call('SET', KEYS[2 + 2 * n], '3') end
        end
        local old = redis.call('HMGET', sale, 'starts_at', 'ends_at', 'per_user_limit', 'reservation_ttl_s', 'skus', 'schema',
          'currency')
        if old[1] and old[6] ~= '2' and old[6] ~= '3' then
          return {'invalid', 'sale ' .. ARGV[1] .. ' has schema ' .. (old[6] or '1') .. ': run flashsale migrate first'}
        end
        if not old[1] then
          redis.call('HSET', sale, 'id', ARGV[1], 'starts_at', ARGV[3], 'ends_at', ARGV[4], 'per_user_limit', ARGV[5],
            'reservation_ttl_s', ARGV[6], 'skus', table.concat(skus, ','), 'schema', '3', 'revision', 1,
            'created_at', ARGV[2], 'updated_at', ARGV[2], 'id_salt', ARGV[9 + 3 * n])
          set_prices()
          for i = 1, n do init(i) end
          schema()
          return {'created'}
        end
        local live = tonumber(old[1]) <= now
        for s in string.gmatch(old[5] or '', '[^,]+') do
          if not seen[s] then return {'sku_removed', s} end
        end
        local known = {}
        for s in string.gmatch(old[5] or '', '[^,]+') do known[s] = true end
        local changed, delta = false, {}
        if currency ~= (old[7] or 'XXX') then
          if live then return {'sale_live', 'currency'} end
          changed = true
        end
        for i = 1, n do
          if known[skus[i]] and prices[i] ~= (redis.call('HGET', sale, 'price:' .. skus[i]) or '0') then
            if live then return {'sale_live', 'price:' .. skus[i]} end
            changed = true
          end
        end
        for i = 1, n do
          local total = redis.call('HGET', KEYS[1 + 2 * i], 'total')
          if not known[skus[i]] or not total then
            if live then return {'sale_live', skus[i]} end
            delta[i] = 'new'
            changed = true
          else
            local d = stocks[i] - tonumber(total)
            if d ~= 0 then
              if live then return {'sale_live', skus[i]} end
              if d < 0 then
                local pool = tonumber(redis.call('GET', KEYS[2 * i]) or '0')
                if pool < -d then return {'stock_below_committed', skus[i], tonumber(total) - pool} end
              end
              delta[i] = d
              changed = true
            end
          end
        end
        if live and starts ~= tonumber(old[1]) then return {'sale_live', 'starts_at'} end
        if starts ~= tonumber(old[1]) or ends ~= tonumber(old[2]) or limit ~= tonumber(old[3]) or ttl ~= tonumber(old[4]) then
          changed = true
        end
        if not changed then
          schema()
          return {'unchanged'}
        end
        local added = {}
        for i = 1, n do
          if delta[i] == 'new' then
            init(i)
            added[#added + 1] = skus[i]
          elseif delta[i] then
            redis.call('INCRBY', KEYS[2 * i], delta[i])
            redis.call('HINCRBY', KEYS[1 + 2 * i], 'total', delta[i])
          end
        end
        local list = old[5] or ''
        if #added > 0 then
          if list == '' then list = table.concat(added, ',') else list = list .. ',' .. table.concat(added, ',') end
        end
        redis.call('HSET', sale, 'starts_at', ARGV[3], 'ends_at', ARGV[4], 'per_user_limit', ARGV[5],
          'reservation_ttl_s', ARGV[6], 'skus', list, 'updated_at', ARGV[2])
        set_prices()
        redis.call('HINCRBY', sale, 'revision', 1)
        schema()
        return {'updated'}
        """#)
}
