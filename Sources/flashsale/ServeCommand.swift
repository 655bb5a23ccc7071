import ArgumentParser
import FlashSaleHTTP
import FlashSaleLoop
import FlashSaleRedis
import FlashSaleServer
import Foundation
import Logging
import FlashSaleWorker

/// `flashsale serve`: runs the engine until SIGTERM/SIGINT.
///
/// Every option has an environment twin (`FLASHSALE_<NAME>`); the option wins
/// when both are given. Secrets come only from the environment.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the FlashSale HTTP API (graceful shutdown on SIGTERM/SIGINT).",
        discussion: """
        Secrets (all required), each from its variable or from the file named by NAME_FILE:
        FLASHSALE_JWT_SECRET (buyer JWTs, HS256), FLASHSALE_ADMIN_TOKEN (admin bearer),
        FLASHSALE_PAYMENT_TOKEN (payment service bearer), FLASHSALE_FULFILMENT_TOKEN (fulfilment
        service bearer).
        Every option below has an environment twin, shown in brackets; the option wins.
        """
    )

    @Option(help: "TCP port [FLASHSALE_PORT] (default 8080).")
    var port: Int?

    @Option(help: "Address to bind [FLASHSALE_HOST] (default 0.0.0.0).")
    var host: String?

    @Option(help: "Redis URL redis://[user:password@]host[:port][/db], or a Redis Cluster's comma-separated seed list redis://h1:7000,redis://h2:7001 (Cluster mode is detected) [FLASHSALE_REDIS] (default redis://127.0.0.1:6379).")
    var redis: String?

    @Option(help: "Worker threads, each with its own event loop and Redis connection [FLASHSALE_WORKERS] (default: one per core).")
    var workers: Int?

    @Option(help: "persisted: answer 201 once Redis has the order; replicated: once Redis has it and --ack-replicas replicas confirmed (WAIT); reserved: answer at once, persist behind [FLASHSALE_ACK] (default persisted).")
    var ack: String?

    @Option(help: "--ack replicated: replicas that must confirm each flush batch [FLASHSALE_ACK_REPLICAS] (default 1).")
    var ackReplicas: Int?

    @Option(help: "--ack replicated: WAIT timeout; a batch not confirmed in time answers 503 [FLASHSALE_ACK_REPLICA_TIMEOUT_MS] (default 500).")
    var ackReplicaTimeoutMs: Int?

    @Option(help: "A lease holder silent this long (no heartbeat, Redis TIME) is reaped: its leases go back to the pool [FLASHSALE_LEASE_GRACE_MS] (default 10000).")
    var leaseGraceMs: Int?

    @Option(help: "Node id, stable across restarts so a restarted node reclaims its leases [FLASHSALE_NODE_ID] (default <hostname>:<port>).")
    var nodeID: String?

    @Flag(help: "Take the user id from X-User-Id (behind an authenticating gateway; benchmarks) [FLASHSALE_TRUST_USER_HEADER=1] (default off).")
    var trustUserHeader = false

    @Option(help: ArgumentHelp(
        "A balancer (CIDR or address, repeatable) whose PROXY header, X-Forwarded-For and Forwarded are believed [FLASHSALE_TRUSTED_PROXY, comma-separated] (default none).",
        valueName: "cidr"))
    var trustedProxy: [String] = []

    @Flag(help: "Every connection starts with a PROXY protocol v1/v2 header (HAProxy send-proxy[-v2]); needs --trusted-proxy; others are closed [FLASHSALE_PROXY_PROTOCOL=1] (default off).")
    var proxyProtocol = false

    @Option(help: "Per-user rate limit RATE/BURST or off [FLASHSALE_RATE_LIMIT_USER] (default 5/10).")
    var rateLimitUser: String?

    @Option(help: "Per-client-address rate limit RATE/BURST or off [FLASHSALE_RATE_LIMIT_ADDRESS] (default 500/1000; off with --trust-user-header).")
    var rateLimitAddress: String?

    @Option(help: "Open connections across workers; more get 503 [FLASHSALE_MAX_CONNECTIONS] (default 10000).")
    var maxConnections: Int?

    @Option(help: "Largest request body in bytes, else 413 [FLASHSALE_MAX_BODY_BYTES] (default 65536).")
    var maxBodyBytes: Int?

    @Option(help: "Largest header block in bytes, else 431 [FLASHSALE_MAX_HEADER_BYTES] (default 16384).")
    var maxHeaderBytes: Int?

    @Option(help: "Time to receive a request's headers, else 408 [FLASHSALE_HEADER_TIMEOUT_MS] (default 10000).")
    var headerTimeoutMs: Int?

    @Option(help: "Time to receive a request's body, else 408 [FLASHSALE_BODY_TIMEOUT_MS] (default 10000).")
    var bodyTimeoutMs: Int?

    @Option(help: "Idle keep-alive connections close after this [FLASHSALE_KEEP_ALIVE_TIMEOUT_MS] (default 60000).")
    var keepAliveTimeoutMs: Int?

    @Option(help: "--ack persisted: a purchase Redis has not acknowledged within this gets 503 [FLASHSALE_ACK_TIMEOUT_MS] (default 5000).")
    var ackTimeoutMs: Int?

    @Option(help: "Flush calls one worker keeps in flight to Redis (--ack persisted, reserved): fewer make larger batches, which cost Redis less per order [FLASHSALE_FLUSHES_IN_FLIGHT] (default \(WorkerEngineConfiguration.defaultMaxBatchesInFlight)).")
    var flushesInFlight: Int?

    @Option(help: "Redis command timeout [FLASHSALE_REDIS_TIMEOUT_MS] (default 2000).")
    var redisTimeoutMs: Int?

    @Option(help: "Graceful shutdown: time for in-flight requests [FLASHSALE_SHUTDOWN_GRACE_MS] (default 10000).")
    var shutdownGraceMs: Int?

    @Option(help: "Seconds of clock skew tolerated on JWT exp/nbf [FLASHSALE_JWT_LEEWAY_S] (default 0).")
    var jwtLeewayS: Int?

    @Option(help: "trace, debug, info, notice, warning, error, critical [FLASHSALE_LOG_LEVEL] (default info).")
    var logLevel: String?

    func run() throws {
        let env = Environment()
        let names = ["FLASHSALE_JWT_SECRET", "FLASHSALE_ADMIN_TOKEN", "FLASHSALE_PAYMENT_TOKEN", "FLASHSALE_FULFILMENT_TOKEN"]
        var secrets: [String: String] = [:]
        for name in names { secrets[name] = try env.secret(name) }
        let missing = names.filter { secrets[$0] == nil }
        guard missing.isEmpty else {
            throw RuntimeFailure(
                "missing secret(s): \(missing.joined(separator: ", ")) (set NAME or NAME_FILE; serve refuses to start without them)")
        }
        let level = logLevel ?? env.text("FLASHSALE_LOG_LEVEL") ?? "info"
        guard let parsedLevel = Logger.Level(rawValue: level) else { throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical") }
        LogfmtLogHandler.bootstrap(level: parsedLevel)

        var http = HTTPServerConfiguration()
        http.port = try port ?? env.integer("FLASHSALE_PORT") ?? 8080
        guard (0...65535).contains(http.port) else { throw ValidationError("--port must be 0-65535") }
        http.host = host ?? env.text("FLASHSALE_HOST") ?? "0.0.0.0"
        http.workers = try workers ?? env.integer("FLASHSALE_WORKERS") ?? ProcessInfo.processInfo.activeProcessorCount
        guard (1...256).contains(http.workers) else { throw ValidationError("--workers must be 1-256") }
        http.maxConnections = try positive(maxConnections, env, "FLASHSALE_MAX_CONNECTIONS", "--max-connections") ?? http.maxConnections
        http.maxBodyBytes = try positive(maxBodyBytes, env, "FLASHSALE_MAX_BODY_BYTES", "--max-body-bytes") ?? http.maxBodyBytes
        http.maxHeaderBytes = try positive(maxHeaderBytes, env, "FLASHSALE_MAX_HEADER_BYTES", "--max-header-bytes") ?? http.maxHeaderBytes
        if let value = try positive(headerTimeoutMs, env, "FLASHSALE_HEADER_TIMEOUT_MS", "--header-timeout-ms") { http.headerTimeoutMillis = UInt64(value) }
        if let value = try positive(bodyTimeoutMs, env, "FLASHSALE_BODY_TIMEOUT_MS", "--body-timeout-ms") { http.bodyTimeoutMillis = UInt64(value) }
        if let value = try positive(keepAliveTimeoutMs, env, "FLASHSALE_KEEP_ALIVE_TIMEOUT_MS", "--keep-alive-timeout-ms") { http.keepAliveTimeoutMillis = UInt64(value) }
        http.trustedProxies = try trustedProxies(trustedProxy.isEmpty ? env.text("FLASHSALE_TRUSTED_PROXY").map { [$0] } ?? [] : trustedProxy)
        http.proxyProtocol = proxyProtocol || env.flag("FLASHSALE_PROXY_PROTOCOL")
        guard !http.proxyProtocol || !http.trustedProxies.isEmpty else {
            throw ValidationError("--proxy-protocol needs --trusted-proxy CIDR: a PROXY header is believed only from a trusted balancer")
        }
        if let value = try positive(shutdownGraceMs, env, "FLASHSALE_SHUTDOWN_GRACE_MS", "--shutdown-grace-ms") { http.shutdownGraceMillis = UInt64(value) }

        let ackText = ack ?? env.text("FLASHSALE_ACK") ?? "persisted"
        guard let ackMode = AckMode(rawValue: ackText) else {
            throw ValidationError("--ack must be persisted, replicated or reserved, got \(ackText)")
        }
        let replicas = try positive(ackReplicas, env, "FLASHSALE_ACK_REPLICAS", "--ack-replicas") ?? 1
        let replicaTimeout = try positive(ackReplicaTimeoutMs, env, "FLASHSALE_ACK_REPLICA_TIMEOUT_MS", "--ack-replica-timeout-ms") ?? 500
        let grace = try positive(leaseGraceMs, env, "FLASHSALE_LEASE_GRACE_MS", "--lease-grace-ms") ?? 10_000
        guard grace >= 300 else { throw ValidationError("--lease-grace-ms must be at least 300, got \(grace)") }
        // Each batch in flight may hold the connection (and the beats behind it) for one WAIT timeout.
        let waitsInFlight = WorkerEngineConfiguration.defaultMaxReplicatedBatchesInFlight * replicaTimeout
        if ackMode == .replicated, grace <= waitsInFlight + 1000 {
            throw ValidationError(
                "--lease-grace-ms (\(grace)) must exceed --ack-replica-timeout-ms + 1000 (\(waitsInFlight + 1000)) with --ack replicated")
        }
        let trust = trustUserHeader || env.flag("FLASHSALE_TRUST_USER_HEADER")
        let userLimit = try rateLimit(rateLimitUser ?? env.text("FLASHSALE_RATE_LIMIT_USER"), default: .defaultPerUser, "--rate-limit-user")
        let addressLimit = try rateLimit(rateLimitAddress ?? env.text("FLASHSALE_RATE_LIMIT_ADDRESS"),
                                         default: trust ? .off : .defaultPerAddress, "--rate-limit-address")
        let node = nodeID ?? env.text("FLASHSALE_NODE_ID") ?? "\(ProcessInfo.processInfo.hostName):\(http.port)"
        guard FlashSaleKeys.isValidIdentifier(node) else {
            throw ValidationError("--node-id must be 1-128 characters of A-Z a-z 0-9 . _ - : /, got \(node)")
        }
        let api = APISettings(
            jwtSecret: secrets["FLASHSALE_JWT_SECRET"]!, adminToken: secrets["FLASHSALE_ADMIN_TOKEN"]!,
            paymentToken: secrets["FLASHSALE_PAYMENT_TOKEN"]!,
            fulfilmentToken: secrets["FLASHSALE_FULFILMENT_TOKEN"]!, trustUserHeader: trust,
            jwtLeewaySeconds: Int64(try jwtLeewayS ?? env.integer("FLASHSALE_JWT_LEEWAY_S") ?? 0),
            userRateLimit: userLimit, addressRateLimit: addressLimit, nodeID: node)
        var configuration = EngineConfiguration(
            http: http, redisURL: redis ?? env.text("FLASHSALE_REDIS") ?? "redis://127.0.0.1:6379", ackMode: ackMode, api: api,
            ackTimeoutMillis: UInt64(try positive(ackTimeoutMs, env, "FLASHSALE_ACK_TIMEOUT_MS", "--ack-timeout-ms") ?? 5000),
            redisTimeoutMillis: UInt64(try positive(redisTimeoutMs, env, "FLASHSALE_REDIS_TIMEOUT_MS", "--redis-timeout-ms") ?? 2000))
        configuration.ackReplicas = replicas
        configuration.replicaWaitTimeoutMillis = replicaTimeout
        configuration.leaseGraceMillis = Int64(grace)
        if let inFlight = try positive(flushesInFlight, env, "FLASHSALE_FLUSHES_IN_FLIGHT", "--flushes-in-flight") {
            guard inFlight <= 64 else { throw ValidationError("--flushes-in-flight must be 1...64, got \(inFlight)") }
            configuration.flushesInFlight = inFlight
        }

        SignalWatcher.ignoreSIGPIPE()
        let engine: FlashSaleEngine
        do {
            engine = try FlashSaleEngine(configuration: configuration)
        } catch {
            throw ValidationError("\(error)")
        }
        do {
            try engine.start()
        } catch {
            // A runtime failure (port busy, no permission), not a usage error.
            throw RuntimeFailure("cannot listen on \(http.host):\(http.port): \(error)")
        }
        engine.runUntilSignalled()
    }

    private func positive(_ option: Int?, _ env: Environment, _ name: String, _ flag: String) throws -> Int? {
        guard let value = try option ?? env.integer(name) else { return nil }
        guard value > 0 else { throw ValidationError("\(flag) must be positive, got \(value)") }
        return value
    }

    /// Each value may list several networks separated by commas.
    private func trustedProxies(_ values: [String]) throws -> TrustedProxies {
        var networks: [IPNetwork] = []
        for value in values {
            for part in value.split(separator: ",") {
                let text = part.trimmingCharacters(in: .whitespaces)
                guard let network = IPNetwork(text) else {
                    throw ValidationError("--trusted-proxy must be an IPv4/IPv6 address or CIDR (10.0.0.0/8, ::1/128), got \(text)")
                }
                networks.append(network)
            }
        }
        return TrustedProxies(networks)
    }

    private func rateLimit(_ text: String?, default fallback: RateLimitPolicy, _ flag: String) throws -> RateLimitPolicy {
        guard let text else { return fallback }
        guard let policy = RateLimitPolicy(parsing: text) else {
            throw ValidationError("\(flag) must be RATE/BURST (e.g. 5/10), RATE, or off; got \(text)")
        }
        return policy
    }
}
