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

/// Why Redis refused an order of a batch (counted as `rejected_<reason>` in the SKU's counts).
public enum FlushRejection: String, Sendable, Equatable {
    /// The worker's lease for the SKU holds fewer units than the order needs.
    case lease
    /// The buyer would hold more than `per_user_limit` units of the SKU.
    case limit
    /// Malformed order (quantity not an integer >= 1, a bad SKU index or `expires_at`).
    case invalid
}

/// The fate of one order of a batch.
public enum FlushOrderResult: Sendable, Equatable {
    /// Recorded now.
    case recorded
    /// Already recorded by an earlier call (a retried batch); nothing changed.
    case alreadyRecorded
    /// The buyer's idempotency key already names `existingOrderID`; nothing recorded.
    /// `sameRequest` is false when that order has another SKU or quantity (`422`).
    case duplicate(existingOrderID: String, sameRequest: Bool)
    /// Refused; nothing recorded.
    case rejected(FlushRejection)
}

/// The reply of one group-commit flush.
public struct FlushOutcome: Sendable, Equatable {
    /// One result per order, in batch order.
    public let results: [FlushOrderResult]
    /// The worker's lease per SKU after the batch, for every SKU whose lease the script
    /// read (Redis wins: the engine corrects its slice to this).
    public let leasesAfter: [String: Int64]
    /// False when the sale hash does not exist; then nothing was recorded.
    public let saleFound: Bool

    /// Creates an outcome.
    public init(results: [FlushOrderResult], leasesAfter: [String: Int64], saleFound: Bool) {
        self.results = results
        self.leasesAfter = leasesAfter
        self.saleFound = saleFound
    }

    /// Parses the reply of `FlashSaleScripts.flush`.
    public static func parse(_ reply: RedisValue) throws -> FlushOutcome {
        let script = FlashSaleScripts.flush
        let items = try reply.checkedScriptReply(script).elements
        if items.count == 1, items[0].string == "no_sale" {
            return FlushOutcome(results: [], leasesAfter: [:], saleFound: false)
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
        return FlushOutcome(results: results, leasesAfter: leases, saleFound: true)
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
    /// expiry entry, `reserved` event, and once per batch the leases, counts, expiry
    /// `ZADD` and stream trim. A refused order leaves only its `rejected_<reason>` count.
    /// Reply: `{codes, {existing id per k/K, in order}, {sku, lease_after, …}}` where
    /// `codes` is one character per order; or `{no_sale}`.
    ///
    /// Lean on purpose (it is the hot path): one `EXISTS` over all order keys (a retried
    /// batch alone pays a per-order check), the buyer's units taken with one `HINCRBY`
    /// (undone within the script when over the limit), the lease kept in a Lua local,
    /// one `ZADD` and one `XTRIM` per batch, per-order codes as one string.
    public static let flush = RedisScript(name: "flush", source: #"""
        local limit = redis.call('HGET', KEYS[1], 'per_user_limit')
        if not limit then return {'no_sale'} end
        limit = tonumber(limit)
        local sale, worker = ARGV[1], ARGV[2]
        local nsku, n, cap = tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5]
        local idem, expiry, events = KEYS[2], KEYS[3], KEYS[4]
        local prefix = string.sub(KEYS[1], 1, -5)
        local okeys = 4 + 3 * nsku
        local retried = false
        for i = 1, n, 1000 do
          if redis.call('EXISTS', unpack(KEYS, okeys + i, okeys + math.min(i + 999, n))) > 0 then retried = true end
        end
        local skus, lease, used, rej = {}, {}, {}, {}
        for i = 1, nsku do skus[i] = ARGV[5 + i] end
        local codes, prior_ids, zadd, recorded = {}, {}, {}, 0
        local a = 5 + nsku
        for o = 1, n do
          local id, si, user, qs, key = ARGV[a + 1], tonumber(ARGV[a + 2]), ARGV[a + 3], ARGV[a + 4], ARGV[a + 5]
          local created, expires = ARGV[a + 6], ARGV[a + 7]
          a = a + 7
          local okey, qty, r = KEYS[okeys + o], tonumber(qs), nil
          -- Validate everything a later write could choke on: a Lua error after some
          -- writes would leave them in place.
          if not qty or qty < 1 or qty % 1 ~= 0 or not si or si < 1 or si > nsku or si % 1 ~= 0
            or not string.find(expires, '^%d+$') then
            r = 'i'
          elseif retried and redis.call('EXISTS', okey) == 1 then
            r = 'd'
          else
            local k, field = 2 + 3 * si, nil
            if key ~= '' then
              field = #user .. ':' .. user .. ':' .. key
              local prior = redis.call('HGET', idem, field)
              if prior then
                local p = redis.call('HMGET', prefix .. 'order:' .. prior, 'sku', 'qty')
                if p[1] == skus[si] and tonumber(p[2]) == qty then r = 'k' else r = 'K' end
                prior_ids[#prior_ids + 1] = prior
              end
            end
            if not r then
              local have = lease[si]
              if not have then
                have = tonumber(redis.call('HGET', KEYS[k], worker) or '0')
                lease[si] = have
              end
              if have < qty then
                r = 'l'
              else
                local buyers = KEYS[k + 2]
                local held = redis.call('HINCRBY', buyers, user, qs)
                if limit > 0 and held > limit then
                  if held == qty then redis.call('HDEL', buyers, user) else redis.call('HINCRBY', buyers, user, -qty) end
                  r = 'L'
                else
                  lease[si] = have - qty
                  used[si] = (used[si] or 0) + qty
                  if field then
                    redis.call('HSET', okey, 'id', id, 'sale', sale, 'sku', skus[si], 'user', user, 'qty', qs,
                      'status', 'reserved', 'created_at', created, 'expires_at', expires, 'worker', worker, 'idem', key)
                    redis.call('HSET', idem, field, id)
                  else
                    redis.call('HSET', okey, 'id', id, 'sale', sale, 'sku', skus[si], 'user', user, 'qty', qs,
                      'status', 'reserved', 'created_at', created, 'expires_at', expires, 'worker', worker)
                  end
                  zadd[#zadd + 1] = expires
                  zadd[#zadd + 1] = id
                  redis.call('XADD', events, '*', 'type', 'reserved', 'order', id, 'sku', skus[si], 'user', user,
                    'qty', qs, 'at', created)
                  recorded = recorded + 1
                  r = 'o'
                end
              end
            end
          end
          if r == 'l' or r == 'L' or (r == 'i' and si and si >= 1 and si <= nsku and si % 1 == 0) then
            local t = rej[si]
            if not t then t = {}; rej[si] = t end
            t[r] = (t[r] or 0) + 1
          end
          codes[o] = r
        end
        if recorded > 0 then
          for i = 1, #zadd, 1000 do
            redis.call('ZADD', expiry, unpack(zadd, i, math.min(i + 999, #zadd)))
          end
          redis.call('XTRIM', events, 'MAXLEN', '~', cap)
        end
        local reasons = {l = 'rejected_lease', L = 'rejected_limit', i = 'rejected_invalid'}
        local after = {}
        for i = 1, nsku do
          local k = 2 + 3 * i
          if used[i] then
            if lease[i] == 0 then redis.call('HDEL', KEYS[k], worker) else redis.call('HSET', KEYS[k], worker, lease[i]) end
            redis.call('HINCRBY', KEYS[k + 1], 'reserved', used[i])
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
