extension FlashSaleScripts {
    /// Builds one step of the schema 1 → 2 migration of `sale` (docs/redis-schema.md,
    /// "Upgrading from version 1"): `begin`, then `orders` with up to a few hundred
    /// schema 1 order ids at a time, then `finish`.
    public static func migrateCall(sale: String, step: MigrationStep) -> FlashSaleScriptCall {
        let keys = FlashSaleKeys(sale: sale)
        var keyList = [keys.saleHash, keys.orders, keys.expiry, keys.schema1Expiry]
        var arguments = [keys.prefix]
        switch step {
        case .begin: arguments.append("begin")
        case .finish: arguments.append("finish")
        case .orders(let ids):
            arguments.append("orders")
            for id in ids {
                keyList.append(keys.schema1Order(id))
                arguments.append(id)
            }
        }
        return FlashSaleScriptCall(script: migrate, keys: keyList, arguments: arguments)
    }

    /// One step of the migration of a sale from schema 1 to 2.
    public enum MigrationStep: Sendable, Equatable {
        /// Marks the sale `schema = migrating` and parks the schema 1 expiry set.
        case begin
        /// Packs these schema 1 order hashes into `fs:{S}:orders` (reserved ones into the
        /// expiry lists) and deletes them.
        case orders([String])
        /// Deletes the parked expiry set; `schema = 2`, `currency = XXX` unless set.
        case finish
    }

    /// Migrates a sale from schema 1 to 2 (it then stays schema 2: a schema-3 sale differs
    /// only in how new keyed orders are indexed), one step per call; each step is idempotent, so
    /// an interrupted migration is resumed by running it again. Engines must be stopped.
    ///
    /// KEYS: `fs:{S}:sale`, `fs:{S}:orders`, `fs:{S}:expiry`, `fs:{S}:expiry-v1`, then (step
    /// `orders`) one `fs:{S}:order:{id}` per order. ARGV: prefix, step, then the order ids.
    /// Reply: `{done, <schema after>}` or `{invalid, message}`.
    public static let migrate = RedisScript(name: "migrate", source: #"""
        local prefix, step = ARGV[1], ARGV[2]
        local schema = redis.call('HGET', KEYS[1], 'schema')
        if not schema then return {'invalid', 'no such sale'} end
        if schema == '2' or schema == '3' then return {'done', schema} end
        if step == 'begin' then
          if schema ~= 'migrating' then
            if redis.call('EXISTS', KEYS[3]) == 1 then redis.call('RENAME', KEYS[3], KEYS[4]) end
            redis.call('HSET', KEYS[1], 'schema', 'migrating')
          end
          return {'done', 'migrating'}
        end
        if schema ~= 'migrating' then return {'invalid', 'run step begin first'} end
        if step == 'finish' then
          redis.call('DEL', KEYS[4])
          redis.call('HSETNX', KEYS[1], 'currency', 'XXX')
          redis.call('HSET', KEYS[1], 'schema', '2')
          return {'done', '2'}
        end
        for i = 3, #ARGV do
          local id, key = ARGV[i], KEYS[2 + i]
          local f = redis.call('HGETALL', key)
          if #f > 0 then
            local o = {}
            for j = 1, #f, 2 do o[f[j]] = f[j + 1] end
            local status = o.status or 'reserved'
            local closed = o[status .. '_at'] or '0'
            redis.call('HSET', KEYS[2], id, table.concat({status, o.sku, o.user, o.qty, '0', o.created_at, o.expires_at,
              closed, o.idem or ''}, ' '))
            if status == 'reserved' then
              local second = tostring(math.floor(tonumber(o.expires_at) / 1000))
              redis.call('RPUSH', prefix .. 'expiry:' .. second, id)
              redis.call('ZADD', KEYS[3], second .. '000', second)
            end
            redis.call('DEL', key)
          end
        end
        return {'done', 'migrating'}
        """#)
}
