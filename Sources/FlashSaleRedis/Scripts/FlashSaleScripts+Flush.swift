import FlashSaleCore
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
    /// True when `orderID` was derived from the key (schema 3): no idempotency entry.
    public let orderIDFromKey: Bool
    /// True for a schema-2 sale: the record keeps the key as its ninth token.
    public let keyInRecord: Bool
    /// When the engine decided the order (Unix ms).
    public let createdAtMillis: Int64
    /// When the reservation expires unless paid (Unix ms), as told to the buyer.
    public let expiresAtMillis: Int64
    /// price × quantity in minor units of the sale's currency (0: the sale has no price).
    public let amountMinorUnits: Int64

    /// Creates a batch order.
    public init(
        orderID: String, sku: String, user: String, quantity: Int64, idempotencyKey: String?,
        createdAtMillis: Int64, expiresAtMillis: Int64, amountMinorUnits: Int64 = 0, orderIDFromKey: Bool = false,
        keyInRecord: Bool = false
    ) {
        self.keyInRecord = keyInRecord
        self.orderIDFromKey = orderIDFromKey
        self.amountMinorUnits = amountMinorUnits
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
        let priors = items[1].elements
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
                guard nextPrior + 2 < priors.count, let id = priors[nextPrior].string,
                    let created = priors[nextPrior + 1].int, let expires = priors[nextPrior + 2].int
                else {
                    throw FlashSaleScriptError.unexpectedReply(script: script.name, reply: reply)
                }
                nextPrior += 3
                result = .duplicate(
                    existingOrderID: id, createdAtMillis: created, expiresAtMillis: expires, sameRequest: code == UInt8(ascii: "k"))
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

/// What the flush script needs of one order. Both the engine's drained orders
/// (`PendingOrder`) and ``FlushOrder`` provide it, so one layout function
/// (``FlashSaleScripts/writeFlush(sale:worker:orders:eventsMaxLength:into:)``) serves both.
public protocol FlushOrderFields {
    /// The SKU name.
    var skuName: String { get }
    /// The buyer.
    var user: String { get }
    /// Units (>= 1).
    var qty: Int { get }
    /// The buyer's `Idempotency-Key`, if any.
    var idempotencyKey: String? { get }
    /// True when the order id was derived from the key (schema 3): the id is the index,
    /// the flush writes no idempotency entry.
    var orderIDFromKey: Bool { get }
    /// True for a schema-2 sale: the record keeps the key (``OrderRecordText``).
    var keyInRecord: Bool { get }
    /// When the order was decided (Unix ms).
    var createdAtMillis: Int64 { get }
    /// When the reservation expires unless paid (Unix ms).
    var expiresAtMillis: Int64 { get }
    /// price × qty in minor units of the sale's currency (0: the sale has no price).
    var amountMinorUnits: Int64 { get }
    /// Calls `body` with the order id's UTF-8 bytes.
    func withOrderIDUTF8<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension FlushOrder: FlushOrderFields {
    public var skuName: String { sku }
    public var qty: Int { Int(quantity) }
    public func withOrderIDUTF8<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var id = orderID
        return try id.withUTF8 { try body(UnsafeRawBufferPointer($0)) }
    }
}

extension PendingOrder: FlushOrderFields {
    public func withOrderIDUTF8<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try id.withUTF8(body)
    }
}

/// Where the flush layout is written: RESP bulk strings (the engine) or Strings (tests).
public protocol FlushArgumentSink {
    /// One argument (a key or an ARGV value) from its bytes, after `prefix`.
    mutating func argument(prefix: String, _ bytes: UnsafeRawBufferPointer)
    /// One argument from a String.
    mutating func argument(_ text: String)
    /// One argument from an integer.
    mutating func argument(decimal value: Int64)
}

extension FlashSaleScripts {
    /// Writes the flush's KEYS then ARGV for a batch of orders of one sale (any SKUs)
    /// decided by `worker` into `sink`; returns the number of keys. The one place the
    /// layout documented at ``flush`` is built, including each order's packed record and
    /// event text (``OrderRecordText``): the script stores them as they come.
    @discardableResult
    public static func writeFlush<Order: FlushOrderFields, Sink: FlushArgumentSink>(
        sale: String, worker: String, orders: some Collection<Order>, eventsMaxLength: Int = defaultEventsMaxLength,
        into sink: inout Sink
    ) -> Int {
        let keys = FlashSaleKeys(sale: sale)
        var skus: [String] = []
        var skuIndex: [String: Int] = [:]
        var newest: Int64 = 0
        for order in orders {
            newest = max(newest, order.createdAtMillis)
            if skuIndex[order.skuName] == nil {
                skus.append(order.skuName)
                skuIndex[order.skuName] = skus.count
            }
        }
        sink.argument(keys.saleHash)
        sink.argument(keys.idempotency)
        sink.argument(keys.expiry)
        sink.argument(keys.events)
        sink.argument(keys.orders)
        for sku in skus {
            sink.argument(keys.leases(sku))
            sink.argument(keys.counts(sku))
            sink.argument(keys.buyers(sku))
        }
        sink.argument(sale)
        sink.argument(worker)
        sink.argument(decimal: Int64(skus.count))
        sink.argument(decimal: Int64(orders.count))
        sink.argument(decimal: Int64(eventsMaxLength))
        sink.argument(decimal: newest)
        for sku in skus { sink.argument(sku) }
        // One scratch buffer for the batch's packed texts: no allocation per order.
        var text = OrderRecordText(capacity: 256)
        for order in orders {
            order.withOrderIDUTF8 { sink.argument(prefix: "", $0) }
            sink.argument(decimal: Int64(skuIndex[order.skuName] ?? 0))
            sink.argument(order.user)
            sink.argument(decimal: Int64(order.qty))
            if let key = order.idempotencyKey, !order.orderIDFromKey {
                sink.argument(FlashSaleKeys.idempotencyField(user: order.user, key: key))
            } else {
                sink.argument("")
            }
            sink.argument(decimal: order.expiresAtMillis / 1000)
            text.reservedRecord(order)
            text.withBytes { sink.argument(prefix: "", $0) }
            text.eventValue(order)
            text.withBytes { sink.argument(prefix: "", $0) }
        }
        return 5 + 3 * skus.count
    }

    /// The flush for `orders` as a ``FlashSaleScriptCall`` (Strings: for tests and tools;
    /// the engine encodes RESP straight from its batch).
    public static func flushCall(
        sale: String, worker: String, orders: [FlushOrder], eventsMaxLength: Int = defaultEventsMaxLength
    ) -> FlashSaleScriptCall {
        var sink = StringArguments()
        let keyCount = writeFlush(sale: sale, worker: worker, orders: orders, eventsMaxLength: eventsMaxLength, into: &sink)
        return FlashSaleScriptCall(
            script: flush, keys: Array(sink.values.prefix(keyCount)), arguments: Array(sink.values.dropFirst(keyCount)))
    }

    /// The group-commit flush: records a batch of orders atomically, each re-checked.
    ///
    /// KEYS: `fs:{S}:sale`, `fs:{S}:idem`, `fs:{S}:expiry`, `fs:{S}:events`,
    /// `fs:{S}:orders`, then per SKU `fs:{S}:leases:{sku}`, `fs:{S}:counts:{sku}`,
    /// `fs:{S}:buyers:{sku}`.
    /// ARGV: sale id, worker id, nsku, norders, events cap, the batch's newest created_at
    /// (the event's `at`), nsku SKU names, then per order 8 values: id, sku index
    /// (1-based), user, qty, idempotency field (`<len(user)>:<user>:<key>`; `""` without a
    /// key and for an id derived from the key, schema 3),
    /// expiry second (`expires_at / 1000`), the packed order record, the order's event value.
    /// Per order, in this order: already in `fs:{S}:orders` with this order's SKU, user,
    /// qty, amount and times → `d` (a retried batch, whatever the status became), with
    /// others → `k` (same sku, user and qty: an earlier order for the same derived id,
    /// schema 3) / `K`; a known idempotency entry (schema 2) → `k` /
    /// `K` likewise; lease < qty → `l`;
    /// held + qty > per_user_limit → `L`; else recorded (`o`). A refused order leaves
    /// only its `rejected_<reason>` count.
    /// Reply: `{codes, {id, created_at, expires_at of the existing order per k/K, in order
    /// (times 0 for K)}, {sku, lease_after, …}}` where
    /// `codes` is one character per order; or `{no_sale}`.
    ///
    /// Lean on purpose (the hot path; figures in docs/performance.md): no command and no
    /// string building per order. Per batch: `HMGET` of the sale, of the order ids
    /// (retried batches), of the buyers per SKU and of the idempotency fields; then one
    /// `HSET` of the packed records, one `RPUSH` per expiry second (one or two per batch;
    /// a `ZADD` only when that second's list is new), one `HSET` (idem), one `XADD`
    /// (one `reserved` entry for the whole batch, trimmed `MAXLEN ~` in the same call)
    /// and per SKU one `HSET` (buyers), the lease and the `reserved` count. Within the
    /// batch buyers' units, leases and new idempotency entries live in Lua tables, so a
    /// later order of the same batch sees an earlier one.
    public static let flush = RedisScript(name: "flush", source: #"""
        local sale = redis.call('HMGET', KEYS[1], 'per_user_limit', 'currency')
        if not sale[1] then return {'no_sale'} end
        local limit, currency = tonumber(sale[1]), sale[2] or 'XXX'
        local worker = ARGV[2]
        local nsku, n, cap, at = tonumber(ARGV[3]), tonumber(ARGV[4]), ARGV[5], ARGV[6]
        local idem, expiry, events, orders = KEYS[2], KEYS[3], KEYS[4], KEYS[5]
        local prefix = string.sub(KEYS[1], 1, -5)
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
        local skus, sidx, lease, used, rej, held, users, nusers = {}, {}, {}, {}, {}, {}, {}, {}
        for i = 1, nsku do skus[i] = ARGV[6 + i]; sidx[tostring(i)] = i; held[i] = {}; users[i] = {}; nusers[i] = 0 end
        -- Pre-pass: the order ids, the units of every buyer and the idempotency entries the
        -- batch needs: one HMGET each (per SKU for the buyers) instead of a command per order.
        local ids, ifields, iprior, nif = {}, {}, {}, 0
        local a = 6 + nsku
        for o = 1, n do
          ids[o] = ARGV[a + 1]
          local si = sidx[ARGV[a + 2]]
          if si then
            local user, h = ARGV[a + 3], held[si]
            if not h[user] then
              h[user] = 0
              local c = nusers[si] + 1
              nusers[si] = c
              users[si][c] = user
            end
            local field = ARGV[a + 5]
            if field ~= '' and iprior[field] == nil then iprior[field] = false; nif = nif + 1; ifields[nif] = field end
          end
          a = a + 8
        end
        local known = n > 0 and many('HMGET', orders, ids, n) or {}
        local before = {}
        for i = 1, nsku do
          if nusers[i] > 0 then
            local v, h = many('HMGET', KEYS[5 + 3 * i], users[i], nusers[i]), held[i]
            for j = 1, nusers[i] do if v[j] then h[users[i][j]] = tonumber(v[j]) end end
            before[i] = v
          end
        end
        if nif > 0 then
          local v = many('HMGET', idem, ifields, nif)
          for j = 1, nif do if v[j] then iprior[ifields[j]] = v[j] end end
        end
        local codes, prior_ids, seconds, lists, newidem, ni, recs, nr, evs, ne = {}, {}, {}, {}, {}, 0, {}, 0, {}, 0
        -- The existing order of a k (its times) or K (times 0) answer.
        local function existing(pid, created, expires)
          prior_ids[#prior_ids + 1] = pid
          prior_ids[#prior_ids + 1] = tonumber(created) or 0
          prior_ids[#prior_ids + 1] = tonumber(expires) or 0
        end
        local okexp, settext = {}, {}
        for i = 1, nsku do settext[i] = {} end
        a = 6 + nsku
        for o = 1, n do
          local id, si, user, qs, field, second = ARGV[a + 1], sidx[ARGV[a + 2]], ARGV[a + 3], ARGV[a + 4], ARGV[a + 5], ARGV[a + 6]
          local r
          local qty = qs == '1' and 1 or tonumber(qs)
          if not okexp[second] and string.find(second, '^%d+$') then okexp[second] = true end
          -- Validate everything a later write could choke on: a Lua error after some
          -- writes would leave them in place.
          if not si or not qty or qty < 1 or qty % 1 ~= 0 or not okexp[second] then
            r = 'i'
          elseif known[o] then
            -- The same id: this very order (a retried batch; its status may have moved on
            -- since, so only what never changes is compared) or, for an id derived from a
            -- key, the buyer's earlier order for that key, made by any node.
            local rec = known[o]
            local fixed = string.match(rec, '^%S+ (%S+ %S+ %S+ %S+ %S+ %S+)')
            if fixed and fixed == string.match(ARGV[a + 7], '^%S+ (%S+ %S+ %S+ %S+ %S+ %S+)') then
              r = 'd'
            else
              local psku, puser, pqty, pc, pe = string.match(rec, '^%S+ (%S+) (%S+) (%S+) %S+ (%S+) (%S+)')
              if psku == skus[si] and puser == user and tonumber(pqty) == qty then
                r = 'k'
                existing(id, pc, pe)
              else
                r = 'K'
                existing(id, 0, 0)
              end
            end
          else
            if field ~= '' then
              local prior = iprior[field]
              if prior then
                local known_id, rec = prior, nil
                if type(prior) == 'table' then
                  -- An order of this batch: its record is its ARGV (read only on this rare hit).
                  known_id, rec = prior[1], ARGV[prior[4] + 7]
                  if prior[2] == si and prior[3] == qty then r = 'k' else r = 'K' end
                else
                  rec = redis.call('HGET', orders, prior) or ''
                  local psku, pqty = string.match(rec, '^%S+ (%S+) %S+ (%S+)')
                  if psku == skus[si] and tonumber(pqty) == qty then r = 'k' else r = 'K' end
                end
                if r == 'k' then
                  existing(known_id, string.match(rec, '^%S+ %S+ %S+ %S+ %S+ (%S+) (%S+)'))
                else
                  existing(known_id, 0, 0)
                end
              end
            end
            if not r then
              local have = lease[si]
              if not have then
                have = tonumber(redis.call('HGET', KEYS[3 + 3 * si], worker) or '0')
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
                if field ~= '' then
                  iprior[field] = {id, si, qty, a}
                  newidem[ni + 1] = field
                  newidem[ni + 2] = id
                  ni = ni + 2
                end
                recs[nr + 1] = id
                recs[nr + 2] = ARGV[a + 7]
                nr = nr + 2
                evs[ne + 1] = id
                evs[ne + 2] = ARGV[a + 8]
                ne = ne + 2
                local list = lists[second]
                if not list then list = {}; lists[second] = list; seconds[#seconds + 1] = second end
                list[#list + 1] = id
                r = 'o'
              end
            end
          end
          a = a + 8
          if si and (r == 'l' or r == 'L' or r == 'i') then
            local t = rej[si]
            if not t then t = {}; rej[si] = t end
            t[r] = (t[r] or 0) + 1
          end
          codes[o] = r
        end
        if nr > 0 then
          many('HSET', orders, recs, nr)
          -- A second enters the expiry set when its list is created (RPUSH answers the
          -- length): most batches append to a known second and skip the ZADD.
          for _, second in ipairs(seconds) do
            local ids = lists[second]
            local length = 0
            for i = 1, #ids, 1000 do
              length = redis.call('RPUSH', prefix .. 'expiry:' .. second, unpack(ids, i, math.min(i + 999, #ids)))
            end
            if length == #ids then redis.call('ZADD', expiry, second .. '000', second) end
          end
          if ni > 0 then many('HSET', idem, newidem, ni) end
          -- One `reserved` entry per 1000 orders (unpack's limit): one for any engine batch.
          for i = 1, ne, 2000 do
            redis.call('XADD', events, 'MAXLEN', '~', cap, '*', 'type', 'reserved', 'at', at, 'currency', currency,
              unpack(evs, i, math.min(i + 1999, ne)))
          end
        end
        local reasons = {l = 'rejected_lease', L = 'rejected_limit', i = 'rejected_invalid'}
        local after = {}
        for i = 1, nsku do
          local k = 3 + 3 * i
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

/// Collects flush arguments as Strings.
struct StringArguments: FlushArgumentSink {
    var values: [String] = []

    mutating func argument(prefix: String, _ bytes: UnsafeRawBufferPointer) {
        values.append(prefix + String(decoding: bytes, as: UTF8.self))
    }
    mutating func argument(_ text: String) { values.append(text) }
    mutating func argument(decimal value: Int64) { values.append(String(value)) }
}
