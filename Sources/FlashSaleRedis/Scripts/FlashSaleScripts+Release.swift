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

/// The outcome of a script that moves one reserved order on (`pay`, `cancel`): the
/// outcomes they share, which the enums' cases provide.
protocol OrderMoveOutcome {
    static var notFound: Self { get }
    static func notReserved(status: String) -> Self
    static func expiredNow(_ order: ReleasedOrder) -> Self
}

extension PayOutcome: OrderMoveOutcome {}
extension CancelOutcome: OrderMoveOutcome {}

extension FlashSaleScripts {
    /// Parses the reply of `script`, which moves one reserved order on: `own` reads the
    /// forms only that script has (nil when the reply is none of them); the forms they
    /// share are `{not_found}`, `{not_reserved, status}` and `{expired, id, sku, user, qty}`.
    /// Anything else throws `unexpectedReply`.
    static func parseOrderMove<Outcome: OrderMoveOutcome>(
        _ reply: RedisValue, of script: RedisScript, own: (String?, [RedisValue]) -> Outcome?
    ) throws -> Outcome {
        let items = try reply.checkedScriptReply(script).elements
        let kind = items.first?.string
        if let outcome = own(kind, items) { return outcome }
        switch kind {
        case "not_found": return .notFound
        case "not_reserved":
            if items.count == 2, let status = items[1].string { return .notReserved(status: status) }
        case "expired":
            if let order = ReleasedOrder.parse(items, at: 1) { return .expiredNow(order) }
        default: break
        }
        throw FlashSaleScriptError.unexpectedReply(script: script.name, reply: reply)
    }
}

extension FlashSaleScripts {
    /// Lua shared by pay, cancel, fulfil and the expiry sweep: reads and writes packed
    /// order records (``OrderRecordText``), appends events, and moves a reserved order to
    /// `status` (`cancelled` or `expired`) with its units back to the pool, fixing buyer
    /// units and counts. Keys of the order's SKU are built from the sale
    /// prefix `fs:{S}:` (same hash tag, so the same slot).
    static let releaseLua = #"""
        local function read_order(orders, id)
          local rec = redis.call('HGET', orders, id)
          if not rec then return nil end
          local s, sku, user, qs, amount, created, expires, closed, rest =
            string.match(rec, '^(%S+) (%S+) (%S+) (%S+) (%S+) (%S+) (%S+) (%S+)(.*)$')
          if not s then error('malformed order record ' .. id) end
          return {id = id, status = s, sku = sku, user = user, qs = qs, amount = amount, created = created,
            expires = expires, closed = closed, rest = rest}
        end
        local function write_order(orders, o)
          redis.call('HSET', orders, o.id, table.concat({o.status, o.sku, o.user, o.qs, o.amount, o.created, o.expires,
            o.closed}, ' ') .. o.rest)
        end
        -- The order's value in an event entry: `<sku> <user> <qty> <amount>` then `extra`.
        local function event_value(o, extra)
          return o.sku .. ' ' .. o.user .. ' ' .. o.qs .. ' ' .. o.amount .. (extra or '')
        end
        local function event(events, cap, etype, now, currency, o, extra)
          redis.call('XADD', events, 'MAXLEN', '~', cap, '*', 'type', etype, 'at', now, 'currency', currency,
            o.id, event_value(o, extra))
        end
        -- The order's id stays in its `expiry:{T}` list: the sweep drops ids whose order is
        -- no longer reserved.
        local function release(prefix, orders, o, status, now)
          local qty = tonumber(o.qs)
          o.status, o.closed = status, now
          write_order(orders, o)
          redis.call('INCRBY', prefix .. 'pool:' .. o.sku, qty)
          local buyers = prefix .. 'buyers:' .. o.sku
          if redis.call('HINCRBY', buyers, o.user, -qty) <= 0 then redis.call('HDEL', buyers, o.user) end
          local counts = prefix .. 'counts:' .. o.sku
          redis.call('HINCRBY', counts, 'reserved', -qty)
          redis.call('HINCRBY', counts, status, qty)
        end

        """#
}
