import FlashSaleWorker
/// One order of a group-commit batch, as the engine decided it.
public struct FlushOrder: Sendable, Equatable {
    /// The engine-assigned order id (unique; a retried batch reuses it).
    public let orderID: String
    /// The SKU.
    public let sku: String
    /// The buyer.
    public let user: String
    /// Units (>= 1).
    public let quantity: Int64
    /// The buyer's `Idempotency-Key`, if any.
    public let idempotencyKey: String?
    /// When the engine decided the order (Unix ms).
    public let createdAtMillis: Int64
    /// When the reservation expires unless paid (Unix ms), as told to the buyer.
    public let expiresAtMillis: Int64

    /// Creates a batch order.
    public init(
        orderID: String, sku: String, user: String, quantity: Int64, idempotencyKey: String?,
        createdAtMillis: Int64, expiresAtMillis: Int64
    ) {
        self.orderID = orderID
        self.sku = sku
        self.user = user
        self.quantity = quantity
        self.idempotencyKey = idempotencyKey
        self.createdAtMillis = createdAtMillis
        self.expiresAtMillis = expiresAtMillis
    }
}



extension FlushReply {
    /// Parses the reply of `FlashSaleScripts.flush`.
    public static func parse(_ reply: RedisValue) throws -> FlushReply {
        let script = FlashSaleScripts.flush
        let items = try reply.checkedScriptReply(script).elements
        if items.count == 1, items[0].string == "no_sale" {
            return FlushReply(results: [], leasesAfter: [:], saleFound: false)
        }
        guard items.count == 3, let codes = items[0].string else {
            throw FlashSaleScriptError.unexpectedReply(script: script.name, reply: reply)
        }
        let priorIDs = items[1].elements
        var nextPrior = 0
        var results: [FlushOrderResult] = []
        results.reserveCapacity(codes.utf8.count)
        for code in codes.utf8 {
            let result: FlushOrderResult
            switch code {
            case UInt8(ascii: "o"): result = .recorded
            case UInt8(ascii: "d"): result = .alreadyRecorded
            case UInt8(ascii: "l"): result = .rejected(.lease)
            case UInt8(ascii: "L"): result = .rejected(.limit)
            case UInt8(ascii: "i"): result = .rejected(.invalid)
            case UInt8(ascii: "k"), UInt8(ascii: "K"):
                guard nextPrior < priorIDs.count, let id = priorIDs[nextPrior].string else {
                    throw FlashSaleScriptError.unexpectedReply(script: script.name, reply: reply)
                }
                nextPrior += 1
                result = .duplicate(existingOrderID: id, sameRequest: code == UInt8(ascii: "k"))
            default:
                throw FlashSaleScriptError.unexpectedReply(script: script.name, reply: reply)
            }
            results.append(result)
        }
        let pairs = items[2].elements
        var leases: [String: Int64] = [:]
        var index = 0
        while index + 1 < pairs.count {
            guard let sku = pairs[index].string, let units = pairs[index + 1].int else {
                throw FlashSaleScriptError.unexpectedReply(script: script.name, reply: reply)
            }
            leases[sku] = units
            index += 2
        }
        return FlushReply(results: results, leasesAfter: leases, saleFound: true)
    }
}

extension FlashSaleScripts {
    /// Builds the group-commit flush for a batch of orders of one sale (any SKUs) decided
    /// by `worker` (`<node-id>/<worker index>`).
    public static func flushCall(
        sale: String, worker: String, orders: [FlushOrder], eventsMaxLength: Int = defaultEventsMaxLength
    ) -> FlashSaleScriptCall {
        let keys = FlashSaleKeys(sale: sale)
        var skus: [String] = []
        var skuIndex: [String: Int] = [:]
        for order in orders where skuIndex[order.sku] == nil {
            skus.append(order.sku)
            skuIndex[order.sku] = skus.count
        }
        var keyList = [keys.saleHash, keys.idempotency, keys.expiry, keys.events]
        keyList.reserveCapacity(4 + 3 * skus.count + orders.count)
        for sku in skus {
            keyList.append(keys.leases(sku))
            keyList.append(keys.counts(sku))
            keyList.append(keys.buyers(sku))
        }
        var arguments = [sale, worker, String(skus.count), String(orders.count), String(eventsMaxLength)]
        arguments.reserveCapacity(arguments.count + skus.count + 7 * orders.count)
        arguments.append(contentsOf: skus)
        for order in orders {
            keyList.append(keys.order(order.orderID))
            arguments.append(order.orderID)
            arguments.append(String(skuIndex[order.sku] ?? 0))
            arguments.append(order.user)
            arguments.append(String(order.quantity))
            arguments.append(order.idempotencyKey ?? "")
            arguments.append(String(order.createdAtMillis))
            arguments.append(String(order.expiresAtMillis))
        }
        return FlashSaleScriptCall(script: flush, keys: keyList, arguments: arguments)
    }

    /// The group-commit flush: records a batch of orders atomically, each re-checked.
    ///
    /// KEYS: `fs:{S}:sale`, `fs:{S}:idem`, `fs:{S}:expiry`, `fs:{S}:events`, then per SKU
    /// `fs:{S}:leases:{sku}`, `fs:{S}:counts:{sku}`, `fs:{S}:buyers:{sku}`, then one
    /// `fs:{S}:order:{id}` per order.
    /// ARGV: sale id, worker id, nsku, norders, events cap, nsku SKU names, then per order
    /// 7 values: id, sku index (1-based), user, qty, idempotency key (`""` = none),
    /// created_at, expires_at.
    /// Per order, in this order: an existing order hash → `d` (dup); a known idempotency
    /// key → `k` (same sku and qty) / `K` (conflict); lease < qty → `l`; held + qty >
    /// per_user_limit → `L`; else recorded (`o`): order hash, buyer units, idem entry,
    /// expiry entry, `reserved` event. A refused order leaves only its
    /// `rejected_<reason>` count.
    /// Reply: `{codes, {existing id per k/K, in order}, {sku, lease_after, …}}` where
    /// `codes` is one character per order; or `{no_sale}`.
    ///
    /// Lean on purpose (it is the hot path; instruction counts in docs/redis-persistence.md):
    /// per recorded order only the order `HSET` and the event `XADD`; everything else is
    /// one command per batch: `EXISTS` over all order keys (a retried batch alone pays a
    /// per-order check), one `HMGET` of the batch's buyers per SKU and one of its
    /// idempotency fields, then at the end one `ZADD` (expiry), one `HSET` (idem), one
    /// `HSET` per SKU (buyers' new units), the lease, the counts and one `XTRIM`. Within
    /// the batch the script keeps buyers' units, leases and new idempotency entries in Lua
    /// tables, so a later order of the same batch sees an earlier one.
    public static let flush = RedisScript(name: "flush", source: #"""
        local limit = redis.call('HGET', KEYS[1], 'per_user_limit')
        if not limit then return {'no_sale'} end
        limit = tonumber(limit)
        local worker = ARGV[2]
        local nsku, n, cap = tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
        local idem, expiry, events = KEYS[2], KEYS[3], KEYS[4]
        local prefix = string.sub(KEYS[1], 1, -5)
        local okeys = 4 + 3 * nsku
        -- One command for a whole list, 1000 arguments at a time (unpack's limit); HMGET's
        -- replies are joined into one array.
        local function many(cmd, key, list, count)
          local out = {}
          for i = 1, count, 1000 do
            local part = redis.call(cmd, key, unpack(list, i, math.min(i + 999, count)))
            if cmd == 'HMGET' then for j = 1, #part do out[i + j - 1] = part[j] end end
          end
          return out
        end
        local retried = false
        for i = 1, n, 1000 do
          if redis.call('EXISTS', unpack(KEYS, okeys + i, okeys + math.min(i + 999, n))) > 0 then retried = true end
        end
        local skus, sidx, lease, used, rej, held, users, nusers = {}, {}, {}, {}, {}, {}, {}, {}
        for i = 1, nsku do skus[i] = ARGV[5 + i]; sidx[tostring(i)] = i; held[i] = {}; users[i] = {}; nusers[i] = 0 end
        -- Pre-pass: the units of every buyer and the idempotency entries the batch needs,
        -- one HMGET per SKU and one for idem (instead of a command per order).
        local fields, ifields, iprior, nif = {}, {}, {}, 0
        local a = 5 + nsku
        for o = 1, n do
          local si = sidx[ARGV[a + 2]]
          if si then
            local user, h = ARGV[a + 3], held[si]
            if not h[user] then
              h[user] = 0
              local c = nusers[si] + 1
              nusers[si] = c
              users[si][c] = user
            end
            local key = ARGV[a + 5]
            if key ~= '' then
              local field = #user .. ':' .. user .. ':' .. key
              fields[o] = field
              if iprior[field] == nil then iprior[field] = false; nif = nif + 1; ifields[nif] = field end
            end
          end
          a = a + 7
        end
        local before = {}
        for i = 1, nsku do
          if nusers[i] > 0 then
            local v, h = many('HMGET', KEYS[4 + 3 * i], users[i], nusers[i]), held[i]
            for j = 1, nusers[i] do if v[j] then h[users[i][j]] = tonumber(v[j]) end end
            before[i] = v
          end
        end
        if nif > 0 then
          local v = many('HMGET', idem, ifields, nif)
          for j = 1, nif do if v[j] then iprior[ifields[j]] = v[j] end end
        end
        local codes, prior_ids, zadd, nz, newidem, ni, recorded = {}, {}, {}, 0, {}, 0, 0
        local okexp, settext = {}, {}
        for i = 1, nsku do settext[i] = {} end
        a = 5 + nsku
        for o = 1, n do
          local id, si, user, qs, key = ARGV[a + 1], sidx[ARGV[a + 2]], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5]
          local created, expires = ARGV[a + 6], ARGV[a + 7]
          a = a + 7
          local r
          local qty = qs == '1' and 1 or tonumber(qs)
          if not okexp[expires] and string.find(expires, '^%d+$') then okexp[expires] = true end
          -- Validate everything a later write could choke on: a Lua error after some
          -- writes would leave them in place.
          if not si or not qty or qty < 1 or qty % 1 ~= 0 or not okexp[expires] then
            r = 'i'
          elseif retried and redis.call('EXISTS', KEYS[okeys + o]) == 1 then
            r = 'd'
          else
            local field = fields[o]
            if field then
              local prior = iprior[field]
              if prior then
                if type(prior) == 'table' then
                  if prior[2] == si and prior[3] == qty then r = 'k' else r = 'K' end
                  prior = prior[1]
                else
                  local p = redis.call('HMGET', prefix .. 'order:' .. prior, 'sku', 'qty')
                  if p[1] == skus[si] and tonumber(p[2]) == qty then r = 'k' else r = 'K' end
                end
                prior_ids[#prior_ids + 1] = prior
              end
            end
            if not r then
              local have = lease[si]
              if not have then
                have = tonumber(redis.call('HGET', KEYS[2 + 3 * si], worker) or '0')
                lease[si] = have
              end
              local h = held[si]
              local was = h[user]
              if have < qty then
                r = 'l'
              elseif was + qty > limit then
                r = 'L'
              else
                h[user] = was + qty
                -- A first purchase's new value is the qty text itself: no number formatting.
                if was == 0 then settext[si][user] = qs else settext[si][user] = nil end
                lease[si] = have - qty
                used[si] = (used[si] or 0) + qty
                local okey, sku = KEYS[okeys + o], skus[si]
                if field then
                  redis.call('HSET', okey, 'sku', sku, 'user', user, 'qty', qs, 'status', 'reserved',
                    'created_at', created, 'expires_at', expires, 'idem', key)
                  iprior[field] = {id, si, qty}
                  newidem[ni + 1] = field
                  newidem[ni + 2] = id
                  ni = ni + 2
                else
                  redis.call('HSET', okey, 'sku', sku, 'user', user, 'qty', qs, 'status', 'reserved',
                    'created_at', created, 'expires_at', expires)
                end
                zadd[nz + 1] = expires
                zadd[nz + 2] = id
                nz = nz + 2
                redis.call('XADD', events, '*', 'type', 'reserved', 'order', id, 'sku', sku, 'user', user, 'qty', qs)
                recorded = recorded + 1
                r = 'o'
              end
            end
          end
          if si and (r == 'l' or r == 'L' or r == 'i') then
            local t = rej[si]
            if not t then t = {}; rej[si] = t end
            t[r] = (t[r] or 0) + 1
          end
          codes[o] = r
        end
        if recorded > 0 then
          many('ZADD', expiry, zadd, nz)
          if ni > 0 then many('HSET', idem, newidem, ni) end
          redis.call('XTRIM', events, 'MAXLEN', '~', cap)
        end
        local reasons = {l = 'rejected_lease', L = 'rejected_limit', i = 'rejected_invalid'}
        local after = {}
        for i = 1, nsku do
          local k = 2 + 3 * i
          if used[i] then
            if lease[i] == 0 then redis.call('HDEL', KEYS[k], worker) else redis.call('HSET', KEYS[k], worker, lease[i]) end
            redis.call('HINCRBY', KEYS[k + 1], 'reserved', used[i])
            local set, c, h, v, u, txt = {}, 0, held[i], before[i], users[i], settext[i]
            for j = 1, nusers[i] do
              local user = u[j]
              local now_held = h[user]
              if now_held ~= (tonumber(v[j]) or 0) then
                set[c + 1] = user
                set[c + 2] = txt[user] or now_held
                c = c + 2
              end
            end
            many('HSET', KEYS[k + 2], set, c)
          end
          if rej[i] then
            for code, c in pairs(rej[i]) do redis.call('HINCRBY', KEYS[k + 1], reasons[code], c) end
          end
          if lease[i] then
            after[#after + 1] = skus[i]
            after[#after + 1] = lease[i]
          end
        end
        return {table.concat(codes), prior_ids, after}
        """#)
}
