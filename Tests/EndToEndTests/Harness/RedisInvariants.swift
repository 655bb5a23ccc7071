import TestSupport
import XCTest

/// Checks DESIGN's invariants against Redis, each SKU's keys read in one script.
enum RedisInvariants {
    /// Per SKU: {sku, total, pool, leased, reserved, paid, cancelled, expired, buyer units, max units of one buyer}.
    static let script = """
    local out = {}
    local prefix = ARGV[1]
    for sku in string.gmatch(redis.call('HGET', KEYS[1], 'skus') or '', '[^,]+') do
      local leased, held, maxHeld = 0, 0, 0
      for _, v in ipairs(redis.call('HVALS', prefix .. 'leases:' .. sku)) do leased = leased + tonumber(v) end
      for _, v in ipairs(redis.call('HVALS', prefix .. 'buyers:' .. sku)) do
        held = held + tonumber(v)
        if tonumber(v) > maxHeld then maxHeld = tonumber(v) end
      end
      local c = redis.call('HMGET', prefix .. 'counts:' .. sku, 'total', 'reserved', 'paid', 'cancelled', 'expired')
      out[#out + 1] = {sku, tonumber(c[1] or '0'), tonumber(redis.call('GET', prefix .. 'pool:' .. sku) or '0'), leased,
        tonumber(c[2] or '0'), tonumber(c[3] or '0'), tonumber(c[4] or '0'), tonumber(c[5] or '0'), held, maxHeld}
    end
    return out
    """

    struct SKUState {
        var sku: String
        var total, pool, leased, reserved, paid, cancelled, expired, buyerUnits, maxPerBuyer: Int64
    }

    static func read(_ redis: BlockingRedis, sale: String) throws -> [SKUState] {
        let reply = try redis.eval(script, keys: ["fs:{\(sale)}:sale"], args: ["fs:{\(sale)}:"])
        return reply.elements.map { row in
            let f = row.elements
            let n = f.dropFirst().map { $0.int ?? 0 }
            return SKUState(sku: f[0].string ?? "", total: n[0], pool: n[1], leased: n[2], reserved: n[3], paid: n[4],
                            cancelled: n[5], expired: n[6], buyerUnits: n[7], maxPerBuyer: n[8])
        }
    }

    /// Asserts conservation, no oversell, the per-user limit, buyers = reserved + paid,
    /// and one order per (user, Idempotency-Key). Returns the states.
    @discardableResult
    static func check(_ redis: BlockingRedis, sale: String, limit: Int64? = nil,
                      file: StaticString = #filePath, line: UInt = #line) throws -> [SKUState] {
        let states = try read(redis, sale: sale)
        XCTAssertFalse(states.isEmpty, "sale \(sale) has no SKUs in Redis", file: file, line: line)
        for s in states {
            XCTAssertEqual(s.total, s.pool + s.leased + s.reserved + s.paid,
                           "conservation broken for \(sale)/\(s.sku): \(s)", file: file, line: line)
            XCTAssertTrue(s.pool >= 0 && s.leased >= 0 && s.reserved >= 0 && s.paid >= 0, "negative counter: \(s)", file: file, line: line)
            XCTAssertLessThanOrEqual(s.reserved + s.paid, s.total, "oversold \(sale)/\(s.sku)", file: file, line: line)
            XCTAssertEqual(s.buyerUnits, s.reserved + s.paid, "buyers != reserved + paid for \(s.sku)", file: file, line: line)
            if let limit { XCTAssertLessThanOrEqual(s.maxPerBuyer, limit, "a buyer holds more than the limit", file: file, line: line) }
        }
        let idem = try redis.command("HVALS", "fs:{\(sale)}:idem").elements.compactMap(\.string)
        XCTAssertEqual(Set(idem).count, idem.count, "one order id used for two idempotency keys", file: file, line: line)
        return states
    }

    /// Whether order `id` of `sale` is recorded in Redis (on `redis`, the sale's master):
    /// a field of the sale's packed order records, `fs:{S}:orders` (schema 2).
    static func orderExists(_ redis: BlockingRedis, sale: String, id: String) throws -> Bool {
        try redis.command("HEXISTS", "fs:{\(sale)}:orders", id).int == 1
    }

    /// Asserts that every acknowledged order id is distinct and recorded in Redis.
    static func assertRecorded(_ redis: BlockingRedis, sale: String, _ ids: [String],
                               file: StaticString = #filePath, line: UInt = #line) throws {
        XCTAssertEqual(Set(ids).count, ids.count, "an order id answered twice", file: file, line: line)
        for id in ids where try !orderExists(redis, sale: sale, id: id) {
            XCTFail("201 for \(id) of \(sale), not in Redis", file: file, line: line)
        }
    }
}
