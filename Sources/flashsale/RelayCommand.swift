import ArgumentParser
import FlashSaleRedis
import FlashSaleRelay
import FlashSaleServer
import Logging
import Foundation

/// `flashsale relay`: delivers every sale's order events to signed webhooks.
struct RelayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Deliver every sale's order events to webhook endpoints (Standard Webhooks signatures, retries, dead letters).",
        discussion: "`flashsale relay --config relay.json` runs the relay (`run` is the default subcommand; its flags: `flashsale relay run --help`). See docs/integration.md and docs/operations.md.",
        subcommands: [RelayRunCommand.self, RelayRedeliverCommand.self],
        defaultSubcommand: RelayRunCommand.self
    )
}

/// `flashsale relay [run]`.
struct RelayRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the relay until SIGTERM/SIGINT (in-flight deliveries finish; the rest stays pending, never lost)."
    )

    @OptionGroup var redis: RedisOption<SeedURLs>

    @Option(help: "The relay's JSON configuration (env FLASHSALE_RELAY_CONFIG; required; fields: docs/integration.md).")
    var config: String?

    @Option(help: "This relay's consumer name in the fs-relay group, stable across restarts (env FLASHSALE_RELAY_CONSUMER; default relay-<hostname>).")
    var consumer: String?

    @Option(help: "Metrics listen address (env FLASHSALE_RELAY_METRICS_HOST; else the config's metrics_host; default 127.0.0.1).")
    var metricsHost: String?

    @Option(help: "Metrics port, 0 picks a free one (env FLASHSALE_RELAY_METRICS_PORT; else the config's metrics_port; default 9464).")
    var metricsPort: Int?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (env FLASHSALE_LOG_LEVEL; default info).")
    var logLevel: String?

    func run() throws {
        let env = Environment()
        guard let path = config ?? env.text("FLASHSALE_RELAY_CONFIG") else {
            throw ValidationError("--config (or FLASHSALE_RELAY_CONFIG) is required: the relay's JSON configuration")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("--config: cannot read \(path)")
        }
        let level = logLevel ?? env.text("FLASHSALE_LOG_LEVEL") ?? "info"
        guard let parsedLevel = Logger.Level(rawValue: level) else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        var configuration: RelayConfiguration
        do {
            configuration = try RelayConfiguration.parse(data, lookup: env.secret)
        } catch {
            throw ValidationError("\(path): \(error)")
        }
        LogfmtLogHandler.bootstrap(level: parsedLevel)
        configuration.redisURLs = redis.urls
        let name = consumer ?? env.text("FLASHSALE_RELAY_CONSUMER") ?? "relay-\(ProcessInfo.processInfo.hostName)"
        guard FlashSaleKeys.isValidIdentifier(name) else {
            throw ValidationError("--consumer must be 1-128 characters of A-Z a-z 0-9 . _ - : /, got \(name)")
        }
        configuration.consumer = name
        if let host = metricsHost ?? env.text("FLASHSALE_RELAY_METRICS_HOST") { configuration.metricsHost = host }
        if let port = try metricsPort ?? env.integer("FLASHSALE_RELAY_METRICS_PORT") {
            guard (0...65535).contains(port) else { throw ValidationError("--metrics-port must be 0-65535, got \(port)") }
            configuration.metricsPort = port
        }
        let service: RelayService
        do {
            service = try RelayService(configuration: configuration)
        } catch {
            throw ValidationError("\(error)")  // a bad --redis URL (the message never carries a password)
        }
        do {
            try service.start()
        } catch {
            throw RuntimeFailure("cannot listen on \(configuration.metricsHost):\(configuration.metricsPort): \(error)")
        }
        let names = configuration.endpoints.map(\.name).joined(separator: ",")
        FileHandle.standardOutput.write(Data(
            "relay \(name) reading \(service.redisEndpoint) for \(names); metrics on http://\(configuration.metricsHost):\(service.metricsPort)/metrics\n".utf8))
        service.runUntilSignalled()
    }
}

/// `flashsale relay redeliver`.
struct RelayRedeliverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redeliver",
        abstract: "Put dead letters (fs:{S}:dead) back into their events stream for the running relay; same webhook-id, to the endpoint that gave up only.",
        discussion: "Either --all (every dead letter of --sale, or of every sale) or one or more --id of one --sale."
    )

    @OptionGroup var redis: RedisOption<OneURL>

    @Option(help: "The sale whose dead letters to redeliver (default: every sale in fs:sales; required with --id).")
    var sale: String?

    @Option(help: "A dead-letter entry id of --sale (repeatable).")
    var id: [String] = []

    @Flag(help: "Every dead letter of --sale (or of every sale).")
    var all = false

    func validate() throws {
        guard all != !id.isEmpty else { throw ValidationError("give either --all or one or more --id") }
        if !id.isEmpty && sale == nil { throw ValidationError("--id needs --sale (dead-letter ids are per sale)") }
        if let sale, !FlashSaleKeys.isValidIdentifier(sale) { throw ValidationError("--sale: not a valid sale id: \(sale)") }
    }

    func run() throws {
        let configuration: RedisRouterConfiguration
        do { configuration = try RedisRouterConfiguration(urls: redis.url) } catch { throw ValidationError("\(error)") }
        let moved: Int
        do {
            moved = try DeadLetterRedelivery.run(redis: configuration, sale: sale, selection: all ? .all : .ids(id))
        } catch {
            throw RuntimeFailure("\(error)")
        }
        FileHandle.standardOutput.write(Data("redelivered \(moved) dead letter(s)\n".utf8))
    }
}
