import Foundation
import TestSupport
import XCTest

/// The secrets every test engine runs with.
enum Secrets {
    static let jwt = "e2e-jwt-secret-0123456789"
    static let admin = "e2e-admin-token"
    static let payment = "e2e-payment-token"
    static let fulfilment = "e2e-fulfilment-token"
    static var environment: [String: String] {
        ["FLASHSALE_JWT_SECRET": jwt, "FLASHSALE_ADMIN_TOKEN": admin, "FLASHSALE_PAYMENT_TOKEN": payment,
         "FLASHSALE_FULFILMENT_TOKEN": fulfilment]
    }
}

/// A `flashsale serve` process on a free port against a private Redis.
final class EngineProcess {
    let port: Int
    let nodeID: String
    let redisURL: String
    let arguments: [String]
    private(set) var process: ChildProcess

    /// Starts the built binary and waits until `/readyz` answers 200 (every worker
    /// bootstrapped and connected); `waitReady: false` returns at once (e.g. a node that
    /// takes only PROXY protocol connections: wait for it through its balancer).
    convenience init(redis: RedisServerProcess, arguments extra: [String] = [], nodeID: String? = nil, port: Int? = nil,
                     workers: String = "1", environment: [String: String] = [:], waitReady: Bool = true) throws {
        try self.init(redisURL: redis.url, arguments: extra, nodeID: nodeID, port: port, workers: workers,
                      environment: environment, waitReady: waitReady)
    }

    /// The same against `redisURL` (one URL or a cluster's seed list).
    init(redisURL: String, arguments extra: [String] = [], nodeID: String? = nil, port: Int? = nil, workers: String = "1",
         environment: [String: String] = [:], waitReady: Bool = true) throws {
        self.port = port ?? freeLoopbackPort()
        self.nodeID = nodeID ?? "e2e-\(self.port)"
        self.redisURL = redisURL
        arguments = ["serve", "--host", "127.0.0.1", "--port", String(self.port), "--redis", redisURL,
                     "--workers", workers, "--node-id", self.nodeID, "--log-level", "warning"] + extra
        process = try ChildProcess(executable: builtBinary("flashsale"), arguments: arguments,
                                   environment: Secrets.environment.merging(environment) { _, new in new })
        if waitReady { try self.waitReady() }
    }

    deinit {
        if process.isRunning {
            process.terminate()
            if process.waitForExit(timeoutSeconds: 10) == nil { process.kill9() }
        }
    }

    func waitReady(timeoutSeconds: Double = 15) throws {
        let ok = waitUntil(timeoutSeconds: timeoutSeconds, pollMillis: 50) {
            (try? HTTPTestClient.request(port: port, "GET", "/readyz", timeoutSeconds: 2).status) == 200
        }
        guard ok else { throw HTTPTestError(description: "engine on \(port) not ready; output:\n\(process.output())") }
    }

    /// SIGTERM and wait for a clean exit (graceful shutdown: flush, hand leases back).
    func stop() throws {
        process.terminate()
        guard let status = process.waitForExit(timeoutSeconds: 20) else {
            throw HTTPTestError(description: "engine did not stop; output:\n\(process.output())")
        }
        guard status == 0 else { throw HTTPTestError(description: "engine exited \(status); output:\n\(process.output())") }
    }

    /// kill -9, then start again with the same arguments (same port and node id).
    func crashAndRestart() throws {
        process.kill9()
        process = try ChildProcess(executable: builtBinary("flashsale"), arguments: arguments, environment: Secrets.environment)
        try waitReady()
    }

    // MARK: requests

    func get(_ path: String, headers: [String: String] = [:]) throws -> HTTPResult {
        try HTTPTestClient.request(port: port, "GET", path, headers: headers)
    }

    func send(_ method: String, _ path: String, headers: [String: String] = [:], body: String? = nil) throws -> HTTPResult {
        try HTTPTestClient.request(port: port, method, path, headers: headers, body: body)
    }

    func putSale(_ sale: String, _ body: String, token: String = Secrets.admin) throws -> HTTPResult {
        try send("PUT", "/v1/sales/\(sale)", headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"], body: body)
    }

    func buy(_ sale: String, sku: String, qty: Int = 1, token: String, key: String? = nil) throws -> HTTPResult {
        var headers = ["Authorization": "Bearer \(token)", "Content-Type": "application/json"]
        if let key { headers["Idempotency-Key"] = key }
        return try send("POST", "/v1/sales/\(sale)/purchases", headers: headers, body: #"{"sku":"\#(sku)","qty":\#(qty)}"#)
    }

    func buyAs(_ sale: String, user: String, sku: String, qty: Int = 1) throws -> HTTPResult {
        try send("POST", "/v1/sales/\(sale)/purchases",
                 headers: ["X-User-Id": user, "Content-Type": "application/json"], body: #"{"sku":"\#(sku)","qty":\#(qty)}"#)
    }

    func pay(_ order: String, token: String = Secrets.payment) throws -> HTTPResult {
        try send("POST", "/v1/orders/\(order)/pay", headers: ["Authorization": "Bearer \(token)"])
    }

    func fulfil(_ order: String, carrier: String = "DHL", tracking: String = "JD014600", token: String = Secrets.fulfilment,
                body: String? = nil) throws -> HTTPResult {
        try send("POST", "/v1/orders/\(order)/fulfil", headers: ["Authorization": "Bearer \(token)", "Content-Type": "application/json"],
                 body: body ?? #"{"carrier":"\#(carrier)","tracking":"\#(tracking)"}"#)
    }

    func cancel(_ order: String, token: String) throws -> HTTPResult {
        try send("POST", "/v1/orders/\(order)/cancel", headers: ["Authorization": "Bearer \(token)"])
    }

    func order(_ order: String, token: String) throws -> HTTPResult {
        try get("/v1/orders/\(order)", headers: ["Authorization": "Bearer \(token)"])
    }
}

/// Buyer tokens minted by the real `flashsale token` command (cached per user).
enum Tokens {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var cache: [String: String] = [:]

    static func buyer(_ user: String) throws -> String {
        lock.lock()
        if let cached = cache[user] { lock.unlock(); return cached }
        lock.unlock()
        let token = try run(["token", "--sub", user, "--ttl", "3600"])
        lock.lock()
        cache[user] = token
        lock.unlock()
        return token
    }

    /// Runs `flashsale <arguments>` and returns its trimmed output.
    static func run(_ arguments: [String], environment: [String: String] = Secrets.environment) throws -> String {
        let child = try ChildProcess(executable: builtBinary("flashsale"), arguments: arguments, environment: environment)
        guard let status = child.waitForExit(timeoutSeconds: 20) else { throw HTTPTestError(description: "flashsale \(arguments) hung") }
        let output = child.output().trimmingCharacters(in: .whitespacesAndNewlines)
        guard status == 0 else { throw HTTPTestError(description: "flashsale \(arguments) exited \(status): \(output)") }
        return output
    }
}

/// Sale bodies.
enum Sales {
    static func body(stock: [String: Int], limit: Int = 1, ttl: Int = 600, startsIn: Double = -60, endsIn: Double = 3600) -> String {
        let now = Date()
        let formatter = ISO8601DateFormatter()
        let items = stock.keys.sorted().map { #"{"sku":"\#($0)","stock":\#(stock[$0]!)}"# }.joined(separator: ",")
        return #"{"starts_at":"\#(formatter.string(from: now.addingTimeInterval(startsIn)))","ends_at":"\#(formatter.string(from: now.addingTimeInterval(endsIn)))","per_user_limit":\#(limit),"reservation_ttl_s":\#(ttl),"items":[\#(items)]}"#
    }
}
