import ArgumentParser
import FlashSaleHTTP
import Foundation

/// `flashsale serve`: runs the HTTP server until SIGTERM/SIGINT.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP API (graceful shutdown on SIGTERM/SIGINT)."
    )

    @Option(help: "TCP port (env FLASHSALE_PORT; default 8080).")
    var port: Int?

    @Option(help: "Address to bind (env FLASHSALE_HOST; default 0.0.0.0).")
    var host: String?

    @Option(help: "Worker threads, each with its own event loop (env FLASHSALE_WORKERS; default: one per core).")
    var workers: Int?

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        var config = HTTPServerConfiguration()
        config.port = try port ?? Self.integer(environment, "FLASHSALE_PORT") ?? 8080
        config.host = host ?? environment["FLASHSALE_HOST"] ?? "0.0.0.0"
        config.workers = try workers ?? Self.integer(environment, "FLASHSALE_WORKERS")
            ?? ProcessInfo.processInfo.activeProcessorCount
        guard config.workers >= 1 else { throw ValidationError("--workers must be at least 1") }

        let server = HTTPServer(configuration: config) { _ in HealthRoutes.router() }
        do {
            try server.start()
        } catch {
            throw ValidationError("cannot listen on \(config.host):\(config.port): \(error)")
        }
        FileHandle.standardError.write(Data(
            "flashsale: listening on \(config.host):\(server.port) with \(config.workers) worker(s)\n".utf8))
        server.runUntilSignalled()
        FileHandle.standardError.write(Data("flashsale: stopped\n".utf8))
    }

    private static func integer(_ environment: [String: String], _ name: String) throws -> Int? {
        guard let text = environment[name] else { return nil }
        guard let value = Int(text) else { throw ValidationError("\(name) must be an integer, got \(text)") }
        return value
    }
}

/// The routes `serve` has before the API is wired in.
enum HealthRoutes {
    static func router() -> HTTPRouter {
        let router = HTTPRouter()
        router.get("/healthz") { _, responder in
            responder.respond(.ok, body: #"{"status":"ok"}"#)
        }
        return router
    }
}
