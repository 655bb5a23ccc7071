import FlashSaleRedis

/// `flashsale migrate`: moves every sale of a Redis from schema 1 to schema 2
/// (docs/redis-schema.md, "Upgrading from version 1"), one sale at a time, in idempotent
/// steps (`FlashSaleScripts.migrate`), so an interrupted run is finished by running it again.
/// Engines must be stopped while it runs.
public struct SchemaMigration {
    /// What happened to one sale.
    public struct SaleResult: Sendable, Equatable {
        /// The sale id.
        public var sale: String
        /// Orders converted by this run (0 for a sale already at schema 2).
        public var orders: Int
        /// Whether the sale was at schema 2 already.
        public var alreadyCurrent: Bool
    }

    private let session: BlockingRedisSession
    /// Schema 1 order hashes converted per script call.
    public var chunk = 200

    /// A migration over `session`.
    public init(session: BlockingRedisSession) {
        self.session = session
    }

    /// Migrates every sale (`fs:{S}:sale` keys), then sets `fs:schema` = 2.
    public func run() throws -> [SaleResult] {
        let sales = try session.scan(match: FlashSaleKeys.saleHashPattern).compactMap(FlashSaleKeys.sale(ofSaleHashKey:))
        var results: [SaleResult] = []
        for sale in sales.sorted() { results.append(try migrate(sale: sale)) }
        _ = try checked(session.command(["SET", FlashSaleKeys.schema, String(FlashSaleKeys.schemaVersion)]))
        return results
    }

    /// Migrates one sale.
    public func migrate(sale: String) throws -> SaleResult {
        let keys = FlashSaleKeys(sale: sale)
        if FlashSaleKeys.servedSaleSchemas.contains(try step(sale, .begin)) { return SaleResult(sale: sale, orders: 0, alreadyCurrent: true) }
        let prefix = keys.schema1Order("")
        let ids = try session.scan(match: keys.schema1OrderPattern).map { String($0.dropFirst(prefix.count)) }
        var start = 0
        while start < ids.count {
            let end = min(start + chunk, ids.count)
            _ = try step(sale, .orders(Array(ids[start..<end])))
            start = end
        }
        _ = try step(sale, .finish)
        return SaleResult(sale: sale, orders: ids.count, alreadyCurrent: false)
    }

    private func step(_ sale: String, _ step: FlashSaleScripts.MigrationStep) throws -> String {
        let call = FlashSaleScripts.migrateCall(sale: sale, step: step)
        let reply = try checked(session.eval(call.script, keys: call.keys, args: call.arguments)).elements
        guard reply.count == 2, reply[0].string == "done", let schema = reply[1].string else {
            throw MigrationError("sale \(sale): \(reply.compactMap(\.string).joined(separator: " "))")
        }
        return schema
    }

    private func checked(_ value: RedisValue) throws -> RedisValue {
        if case .error(let message) = value { throw MigrationError(message) }
        return value
    }
}

/// Why `flashsale migrate` stopped.
public struct MigrationError: Error, CustomStringConvertible {
    /// What went wrong.
    public let description: String
    init(_ description: String) { self.description = description }
}
