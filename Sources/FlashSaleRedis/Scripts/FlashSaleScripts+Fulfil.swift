import FlashSaleWorker

extension FulfilOutcome {
    /// Parses the reply of `FlashSaleScripts.fulfil`.
    public static func parse(_ reply: RedisValue) throws -> FulfilOutcome {
        let script = FlashSaleScripts.fulfil
        let items = try reply.checkedScriptReply(script).elements.map(\.string)
        switch (items.first ?? nil, items.count) {
        case ("fulfilled", 1): return .fulfilled
        case ("not_found", 1): return .notFound
        case ("already_fulfilled", 3):
            if let carrier = items[1], let tracking = items[2] { return .alreadyFulfilled(carrier: carrier, tracking: tracking) }
        case ("not_paid", 2): if let status = items[1] { return .notPaid(status: status) }
        case ("invalid", 2): if let why = items[1] { return .invalid(why) }
        default: break
        }
        throw FlashSaleScriptError.unexpectedReply(script: script.name, reply: reply)
    }
}

extension FlashSaleScripts {
    /// Builds a fulfil call: `orderID` shipped with `carrier` / `tracking` at `nowMillis`.
    public static func fulfilCall(
        sale: String, orderID: String, carrier: String, tracking: String, nowMillis: Int64,
        eventsMaxLength: Int = defaultEventsMaxLength
    ) -> FlashSaleScriptCall {
        let keys = FlashSaleKeys(sale: sale)
        return FlashSaleScriptCall(
            script: fulfil, keys: [keys.orders, keys.events, keys.saleHash],
            arguments: [keys.prefix, orderID, carrier, tracking, String(nowMillis), String(eventsMaxLength)])
    }

    /// Marks a paid order fulfilled (issue 13): the record gains
    /// ` <fulfilled_at> <carrier> <tracking>`, counts `fulfilled` (a part of `paid`) grows by
    /// its qty, a `fulfilled` event carries carrier and tracking.
    ///
    /// KEYS: `fs:{S}:orders`, `fs:{S}:events`, `fs:{S}:sale`.
    /// ARGV: prefix, order id, carrier, tracking, now, events cap.
    /// Reply: `{fulfilled}` | `{already_fulfilled, carrier, tracking}` | `{not_found}` |
    /// `{not_paid, status}` | `{invalid, message}` (carrier and tracking: 1…64 printable
    /// ASCII bytes other than space, `"` and `\`, so a record token never holds a space and
    /// a JSON string needs no escape; the API checks the same rule,
    /// `IdentifierRules.isValidShipmentToken`).
    public static let fulfil = RedisScript(name: "fulfil", source: releaseLua + #"""
        local id, carrier, tracking, now, cap = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
        for name, v in pairs({carrier = carrier, tracking = tracking}) do
          if #v < 1 or #v > 64 or string.find(v, '[^!-~]') or string.find(v, '["\\]') then
            return {'invalid', name .. ' must be 1-64 printable ASCII characters without space, " or \\'}
          end
        end
        local o = read_order(KEYS[1], id)
        if not o then return {'not_found'} end
        if o.status == 'fulfilled' then
          local c, t = string.match(o.rest, ' (%S+) (%S+)$')
          return {'already_fulfilled', c, t}
        end
        if o.status ~= 'paid' then return {'not_paid', o.status} end
        o.status = 'fulfilled'
        o.rest = o.rest .. ' ' .. now .. ' ' .. carrier .. ' ' .. tracking
        write_order(KEYS[1], o)
        redis.call('HINCRBY', ARGV[1] .. 'counts:' .. o.sku, 'fulfilled', tonumber(o.qs))
        event(KEYS[2], cap, 'fulfilled', now, redis.call('HGET', KEYS[3], 'currency') or 'XXX', o,
          ' ' .. carrier .. ' ' .. tracking)
        return {'fulfilled'}
        """#)
}
