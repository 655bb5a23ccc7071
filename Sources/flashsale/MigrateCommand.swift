import ArgumentParser
import FlashSaleClient
import FlashSaleRedis
import Foundation

/// `flashsale migrate`: upgrades a Redis from schema 1 to schema 2.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Convert every sale in Redis from schema 1 to schema 2 (stop the engines first).",
        discussion: """
        Packs each schema 1 order hash into fs:{S}:orders, rebuilds the expiry lists, marks the
        sale schema 2 and sets fs:schema = 3 (schema-2 and schema-3 sales are served side by side;
        a schema-2 sale needs nothing). Idempotent: run it again to finish an interrupted
        migration. Event entries written before it keep the schema 1 layout.
        """
    )

    @OptionGroup var redis: RedisOption<OneURL>

    func run() throws {
        let session: BlockingRedisSession
        do {
            session = try BlockingRedisSession(url: redis.url, timeoutSeconds: 30)
        } catch {
            throw RuntimeFailure("cannot connect to Redis at \(RedisEndpoint.redacted(redis.url)): \(error)")
        }
        defer { session.close() }
        let results: [SchemaMigration.SaleResult]
        do {
            results = try SchemaMigration(session: session).run()
        } catch {
            throw RuntimeFailure("migration failed (run it again to resume): \(error)")
        }
        for result in results {
            print(result.alreadyCurrent ? "\(result.sale): already schema 2" : "\(result.sale): \(result.orders) orders migrated")
        }
        print("fs:schema = \(FlashSaleKeys.schemaVersion)")
    }
}
