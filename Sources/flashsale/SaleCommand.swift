import ArgumentParser
import FlashSaleClient
import FlashSaleCore
import FlashSaleServer
import Foundation

/// `flashsale sale put|get`: sale admin against a running engine, over HTTP.
struct SaleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sale",
        abstract: "Create, update or read a sale on a running engine (over its HTTP API).",
        subcommands: [Put.self, Get.self]
    )

    struct Engine: ParsableArguments {
        @Option(help: "The engine's base URL (env FLASHSALE_URL; default http://127.0.0.1:8080).")
        var url: String?

        func endpoint() throws -> HTTPExchange.Endpoint {
            let text = url ?? ProcessInfo.processInfo.environment["FLASHSALE_URL"] ?? "http://127.0.0.1:8080"
            do {
                return try HTTPExchange.Endpoint(url: text)
            } catch {
                throw ValidationError("--url: \(error)")
            }
        }
    }

    struct Put: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "PUT /v1/sales/{sale} with the admin token from FLASHSALE_ADMIN_TOKEN.",
            discussion: """
            Give the whole definition as JSON (--file, or - for stdin), or build it from options:
              flashsale sale put launch --starts-at 2025-06-01T12:00:00Z --ends-at 2025-06-01T13:00:00Z \\
                --per-user-limit 1 --reservation-ttl 600 --item console=10000 --item mouse=500
            """
        )

        @Argument(help: "The sale id.")
        var sale: String

        @OptionGroup var engine: Engine

        @Option(help: "A JSON file with the sale definition ('-' reads stdin).")
        var file: String?

        @Option(help: "RFC 3339 start (default: now).")
        var startsAt: String?

        @Option(help: "RFC 3339 end (default: one hour after the start).")
        var endsAt: String?

        @Option(help: "Units one user may hold per SKU (1...\(SaleConfig.maxPerUserLimit)).")
        var perUserLimit: Int = 1

        @Option(help: "Seconds a reservation waits for payment.")
        var reservationTTL: Int = 600

        @Option(help: "SKU=STOCK (repeatable).")
        var item: [String] = []

        func run() throws {
            let token = try Environment().requireSecret("FLASHSALE_ADMIN_TOKEN", purpose: "to administer sales")
            let body = try definitionBody()
            try SaleCommand.report { try SaleAdmin.put(try engine.endpoint(), adminToken: token, sale: sale, body: body) }
        }

        private func definitionBody() throws -> [UInt8] {
            if let file {
                let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile()
                    : try Data(contentsOf: URL(fileURLWithPath: file))
                return Array(data)
            }
            guard !item.isEmpty else { throw ValidationError("give --file or at least one --item SKU=STOCK") }
            let nowMillis = Int64(Date().timeIntervalSince1970 * 1000)
            guard let starts = startsAt.map(RFC3339.parse) ?? nowMillis else {
                throw ValidationError("--starts-at must be RFC 3339, e.g. 2025-06-01T12:00:00Z")
            }
            guard let ends = endsAt.map(RFC3339.parse) ?? (starts + 3_600_000) else {
                throw ValidationError("--ends-at must be RFC 3339, e.g. 2025-06-01T13:00:00Z")
            }
            var items: [SaleBody.Item] = []
            for entry in item {
                let parts = entry.split(separator: "=")
                guard parts.count == 2, let stock = Int64(parts[1]) else {
                    throw ValidationError("--item must be SKU=STOCK, got \(entry)")
                }
                items.append(.init(sku: String(parts[0]), stock: stock))
            }
            return SaleBody(startsAtMillis: starts, endsAtMillis: ends, perUserLimit: perUserLimit,
                            reservationTTLSeconds: reservationTTL, items: items).jsonBody()
        }
    }

    struct Get: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "GET /v1/sales/{sale}.")

        @Argument(help: "The sale id.")
        var sale: String

        @OptionGroup var engine: Engine

        func run() throws {
            let endpoint = try engine.endpoint()
            try SaleCommand.report { try HTTPExchange.request(endpoint, method: "GET", path: "/v1/sales/\(sale)") }
        }
    }

    /// Runs the exchange and prints the status and body; a non-2xx answer, or no answer
    /// (the engine unreachable), is a failure exit with the reason on stderr.
    static func report(_ exchange: () throws -> HTTPExchange.Response) throws {
        let response: HTTPExchange.Response
        do {
            response = try exchange()
        } catch let error as ValidationError {
            throw error
        } catch {
            throw RuntimeFailure("\(error)")
        }
        print("HTTP \(response.status)")
        print(response.body)
        guard (200..<300).contains(response.status) else { throw ExitCode(1) }
    }
}
