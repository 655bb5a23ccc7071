import ArgumentParser
import FlashSaleDashboard
import Foundation

/// `flashsale dashboard`: the read-only web dashboard.
struct DashboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard",
        abstract: "Web dashboard read from Redis only (never writes): one self-contained page, a JSON and Server-Sent-Events feed every second, a live conservation check and its /metrics.",
        discussion: "Open http://HOST:PORT/ in a browser. Feeds: /api/snapshot (JSON), /api/events (text/event-stream), /metrics (Prometheus)."
    )

    @Option(help: "Redis URL or comma-separated seed URLs (env FLASHSALE_REDIS; default redis://127.0.0.1:6379).")
    var redis: String?

    @Option(help: "Listen address (env FLASHSALE_DASHBOARD_HOST).")
    var host: String?

    @Option(help: "Listen port (env FLASHSALE_DASHBOARD_PORT; default 8090; 0 picks a free one).")
    var port: Int?

    @Option(help: "Milliseconds between reads of Redis (env FLASHSALE_DASHBOARD_REFRESH_MS; 200-60000).")
    var refreshMs: Int?

    @Option(help: "Sales read each refresh at most (the first by id; env FLASHSALE_DASHBOARD_MAX_SALES).")
    var maxSales: Int?

    func run() throws {
        let env = ProcessInfo.processInfo.environment
        let urls = (redis ?? env["FLASHSALE_REDIS"] ?? "redis://127.0.0.1:6379")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var configuration = DashboardConfiguration(redisURLs: urls)
        configuration.host = host ?? env["FLASHSALE_DASHBOARD_HOST"] ?? "127.0.0.1"
        let port = port ?? env["FLASHSALE_DASHBOARD_PORT"].map({ Int($0) ?? -1 }) ?? 8090
        guard (0...65535).contains(port) else {
            throw ValidationError("--port must be 0-65535")
        }
        configuration.port = port
        if let value = refreshMs ?? env["FLASHSALE_DASHBOARD_REFRESH_MS"].map({ Int($0) ?? -1 }) {
            guard (200...60_000).contains(value) else { throw ValidationError("--refresh-ms must be 200-60000") }
            configuration.refreshMillis = UInt64(value)
        }
        if let value = maxSales ?? env["FLASHSALE_DASHBOARD_MAX_SALES"].map({ Int($0) ?? -1 }) {
            guard (1...100_000).contains(value) else { throw ValidationError("--max-sales must be 1-100000") }
            configuration.maxSales = value
        }
        let dashboard: DashboardServer
        do {
            dashboard = try DashboardServer(configuration: configuration)
        } catch {
            throw ValidationError("\(error)")
        }
        do {
            try dashboard.start()
        } catch {
            // A runtime failure, not a usage error: say it and exit 1.
            FileHandle.standardError.write(Data("flashsale dashboard: cannot listen on \(configuration.host):\(configuration.port): \(error)\n".utf8))
            throw ExitCode(1)
        }
        FileHandle.standardOutput.write(Data("dashboard on http://\(configuration.host):\(dashboard.port)/ reading \(dashboard.redisEndpoint)\n".utf8))
        dashboard.runUntilSignalled()
    }
}
