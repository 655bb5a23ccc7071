import ArgumentParser
import FlashSaleLoadTest
import Foundation

/// Options shared by the scenarios: where to send, as whom, where to report.
struct TargetOptions: ParsableArguments {
    @Option(help: "The engine's base URL (http://host:port).")
    var url = "http://127.0.0.1:8080"

    @Option(help: "The sale id.")
    var sale = "demo"

    @Option(help: "The SKU to buy.")
    var sku = "sku-1"

    @Option(help: "Units per purchase.")
    var qty = 1

    @Option(help: "Keep-alive connections (one request in flight on each).")
    var connections = 1000

    @Option(help: "Seconds before a request without an answer counts as unknown (timeout).")
    var timeout = 10.0

    @Flag(help: "Send X-User-Id instead of a JWT (the engine must run with --trust-user-header).")
    var trustUserHeader = false

    @Option(help: "User ids are this prefix plus a number.")
    var userPrefix = "u"

    @Option(help: "Idempotency keys start with this (default: a tag unique to the run).")
    var keyPrefix: String?

    @Option(help: "Redis URL; when given, the oracle verifies the sale after the run.")
    var redis: String?

    @Option(help: "Seconds to wait for leases to be returned before judging undersell (the engine returns idle slices after 30 s).")
    var settle = 45.0

    @Option(help: "Directory for report.json, report.html and evidence.json.")
    var out = "loadtest-report"

    @Flag(help: "No live progress line.")
    var quiet = false

    @OptionGroup var creation: SaleCreationOptions

    /// host and port from `url`.
    func endpoint() throws -> (host: String, port: Int) {
        try parseURL(url)
    }

    func auth() throws -> BuyerAuth {
        if trustUserHeader { return .userHeader }
        guard let secret = ProcessInfo.processInfo.environment["FLASHSALE_JWT_SECRET"], !secret.isEmpty else {
            throw ValidationError("FLASHSALE_JWT_SECRET is not set (or pass --trust-user-header)")
        }
        return .jwt(secret: secret)
    }
}

/// `--create-sale` and the sale it creates (or updates) before the run.
struct SaleCreationOptions: ParsableArguments {
    @Flag(help: "Create (or update) the sale through the admin API before the run (FLASHSALE_ADMIN_TOKEN).")
    var createSale = false

    @Option(help: "With --create-sale: units on sale.")
    var stock = 10_000

    @Option(help: "With --create-sale: units one user may hold (1-1000000).")
    var perUserLimit = 1

    @Option(help: "With --create-sale: seconds a reservation stays unpaid before it expires.")
    var reservationTTL = 600

    /// What ``ScenarioSession`` creates, nil without --create-sale; the admin token comes from the environment.
    func request() throws -> (adminToken: String, stock: Int, perUserLimit: Int, ttlSeconds: Int)? {
        guard createSale else { return nil }
        guard let admin = ProcessInfo.processInfo.environment["FLASHSALE_ADMIN_TOKEN"], !admin.isEmpty else {
            throw ValidationError("FLASHSALE_ADMIN_TOKEN is not set (needed by --create-sale)")
        }
        return (admin, stock, perUserLimit, reservationTTL)
    }
}

/// Splits `http://host:port[/path]` into host, port and path.
func parseURL(_ url: String) throws -> (host: String, port: Int) {
    let parts = try parseURLWithPath(url)
    return (parts.host, parts.port)
}

func parseURLWithPath(_ url: String) throws -> (host: String, port: Int, path: String) {
    guard url.hasPrefix("http://") else { throw ValidationError("only http:// URLs are supported: \(url)") }
    let rest = url.dropFirst("http://".count)
    let slash = rest.firstIndex(of: "/") ?? rest.endIndex
    let authority = rest[..<slash]
    let path = slash == rest.endIndex ? "/" : String(rest[slash...])
    var host = String(authority)
    var port = 80
    if authority.hasPrefix("[") {
        guard let close = authority.firstIndex(of: "]") else { throw ValidationError("bad URL: \(url)") }
        host = String(authority[authority.index(after: authority.startIndex)..<close])
        let after = authority[authority.index(after: close)...]
        if after.hasPrefix(":") {
            guard let value = Int(after.dropFirst()) else { throw ValidationError("bad port in \(url)") }
            port = value
        }
    } else if let colon = authority.lastIndex(of: ":") {
        host = String(authority[..<colon])
        guard let value = Int(authority[authority.index(after: colon)...]) else { throw ValidationError("bad port in \(url)") }
        port = value
    }
    return (host, port, path)
}

/// Prints to standard error.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
