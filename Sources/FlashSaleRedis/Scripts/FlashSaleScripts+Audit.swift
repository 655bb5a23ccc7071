/// The counters of one SKU, read atomically (for dashboards, tests and the engine's startup).
public struct SKUAudit: Sendable, Equatable {
    /// The SKU.
    public let sku: String
    /// `counts.total`: the SKU's stock.
    public let total: Int64
    /// `fs:{S}:pool:{sku}`.
    public let pool: Int64
    /// Σ of `fs:{S}:leases:{sku}`.
    public let leased: Int64
    /// `counts.reserved`.
    public let reserved: Int64
    /// `counts.paid`.
    public let paid: Int64
    /// `counts.cancelled` (cumulative).
    public let cancelled: Int64
    /// `counts.expired` (cumulative).
    public let expired: Int64
    /// Σ of `fs:{S}:buyers:{sku}`.
    public let buyerUnits: Int64

    /// Creates an audit row.
    public init(
        sku: String, total: Int64, pool: Int64, leased: Int64, reserved: Int64, paid: Int64,
        cancelled: Int64, expired: Int64, buyerUnits: Int64
    ) {
        self.sku = sku
        self.total = total
        self.pool = pool
        self.leased = leased
        self.reserved = reserved
        self.paid = paid
        self.cancelled = cancelled
        self.expired = expired
        self.buyerUnits = buyerUnits
    }

    /// `total = pool + Σ leases + reserved + paid`, nothing negative.
    public var isConserved: Bool {
        total == pool + leased + reserved + paid && pool >= 0 && leased >= 0 && reserved >= 0 && paid >= 0
    }

    /// Σ buyer units = reserved + paid.
    public var buyersMatch: Bool { buyerUnits == reserved + paid }

    /// Parses the reply of `FlashSaleScripts.audit`.
    public static func parse(_ reply: RedisValue) throws -> [SKUAudit] {
        let script = FlashSaleScripts.audit
        var rows: [SKUAudit] = []
        for row in try reply.checkedScriptReply(script).elements {
            let f = row.elements
            guard f.count == 9, let sku = f[0].string else {
                throw FlashSaleScriptError.unexpectedReply(script: script.name, reply: reply)
            }
            let n = f.dropFirst().map { $0.int ?? 0 }
            rows.append(
                SKUAudit(
                    sku: sku, total: n[0], pool: n[1], leased: n[2], reserved: n[3], paid: n[4],
                    cancelled: n[5], expired: n[6], buyerUnits: n[7]))
        }
        return rows
    }
}

extension FlashSaleScripts {
    /// Builds an audit call for every SKU of `sale` (read-only: `EVALSHA_RO` works too).
    public static func auditCall(sale: String) -> FlashSaleScriptCall {
        let keys = FlashSaleKeys(sale: sale)
        return FlashSaleScriptCall(script: audit, keys: [keys.saleHash], arguments: [keys.prefix])
    }

    /// Reads every counter of a sale in one atomic step.
    ///
    /// KEYS: `fs:{S}:sale`. ARGV: `fs:{S}:` prefix.
    /// Reply: per SKU `{sku, total, pool, leased, reserved, paid, cancelled, expired, buyer_units}`.
    public static let audit = RedisScript(name: "audit", source: #"""
        #!lua flags=no-writes
        local prefix = ARGV[1]
        local out = {}
        for sku in string.gmatch(redis.call('HGET', KEYS[1], 'skus') or '', '[^,]+') do
          local leased, held = 0, 0
          for _, v in ipairs(redis.call('HVALS', prefix .. 'leases:' .. sku)) do leased = leased + tonumber(v) end
          for _, v in ipairs(redis.call('HVALS', prefix .. 'buyers:' .. sku)) do held = held + tonumber(v) end
          local c = redis.call('HMGET', prefix .. 'counts:' .. sku, 'total', 'reserved', 'paid', 'cancelled', 'expired')
          out[#out + 1] = {sku, tonumber(c[1] or '0'), tonumber(redis.call('GET', prefix .. 'pool:' .. sku) or '0'), leased,
            tonumber(c[2] or '0'), tonumber(c[3] or '0'), tonumber(c[4] or '0'), tonumber(c[5] or '0'), held}
        end
        return out
        """#)
}
