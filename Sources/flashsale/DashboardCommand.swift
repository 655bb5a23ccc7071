import ArgumentParser
import FlashSaleDashboard
import Foundation

/// `flashsale dashboard`: the read-only web dashboard.
struct DashboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Web dashboard read from Redis only (never writes): one self-contained page, a JSON and Server-Sent-Events feed every second, a live conservation check and its /metrics.",
        discussion: "Open http://HOST:PORT/ in a browser. Feeds: /api/snapshot (JSON), /api/events (text/event-stream), /metrics (Prometheus). See docs/dashboard.md."
    )

    @OptionGroup var redis: RedisOption<SeedURLs>

    @Option(help: "Listen address (env FLASHSALE_DASHBOARD_HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Listen port (env FLASHSALE_DASHBOARD_PORT; default 8090; 0 picks a free one).")
    var port: Int?

    @Option(help: "Milliseconds between reads of Redis (env FLASHSALE_DASHBOARD_REFRESH_MS; 200-60000; default 1000).")
    var refreshMs: Int?

    @Option(help: "Sales read each refresh at most, the first by id (env FLASHSALE_DASHBOARD_MAX_SALES; default 1000).")
    var maxSales: Int?

    func run() throws {
        let env = Environment()
        var configuration = DashboardConfiguration(redisURLs: redis.urls)
        configuration.host = host ?? env.text("FLASHSALE_DASHBOARD_HOST") ?? "127.0.0.1"
        let port = try port ?? env.integer("FLASHSALE_DASHBOARD_PORT") ?? 8090
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0-65535, got \(port)") }
        configuration.port = port
        if let value = try refreshMs ?? env.integer("FLASHSALE_DASHBOARD_REFRESH_MS") {
            guard (200...60_000).contains(value) else { throw ValidationError("--refresh-ms must be 200-60000, got \(value)") }
            configuration.refreshMillis = UInt64(value)
        }
        if let value = try maxSales ?? env.integer("FLASHSALE_DASHBOARD_MAX_SALES") {
            guard (1...100_000).contains(value) else { throw ValidationError("--max-sales must be 1-100000, got \(value)") }
            configuration.maxSales = value
        }
        let dashboard: DashboardServer
        do {
            dashboard = try DashboardServer(configuration: configuration)
        } catch {
            throw ValidationError("\(error)")  // a bad --redis URL (the message never carries a password)
        }
        do {
            try dashboard.start()
        } catch {
            throw RuntimeFailure("cannot listen on \(configuration.host):\(configuration.port): \(error)")
        }
        FileHandle.standardOutput.write(Data("dashboard on http://\(configuration.host):\(dashboard.port)/ reading \(dashboard.redisEndpoint)\n".utf8))
        dashboard.runUntilSignalled()
    }
}
