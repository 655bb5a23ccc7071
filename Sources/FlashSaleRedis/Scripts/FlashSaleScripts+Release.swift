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
