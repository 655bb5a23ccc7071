import ArgumentParser
import FlashSaleLoadTest
import Foundation

struct HTTPBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http-bench",
        abstract: "Closed-loop GETs against any HTTP server, like wrk (measures the driver itself).")

    @Argument(help: "The URL to GET, e.g. http://127.0.0.1:8081/.")
    var url: String

    @Option(name: [.short, .long], help: "Keep-alive connections.")
    var connections = 64

    @Option(name: [.short, .long], help: "Seconds to run.")
    var duration = 10.0

    @Option(help: "Seconds before a request without an answer counts as a timeout.")
    var timeout = 10.0

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func run() throws {
        let (host, port, path) = try parseURLWithPath(url)
        var driver = DriverConfiguration(
            host: host, port: port, sale: "-", sku: "-", scenario: .httpBench(path: path, durationSeconds: duration),
            connections: connections, requestTimeoutSeconds: timeout)
        driver.progressIntervalSeconds = 0
        let result = LoadRun.execute(driver)
        let s = result.summary
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(s), as: UTF8.self))
            return
        }
        let errors = s.kinds.reduce(0) { $0 + $1.unknown }
        let non2xx = s.kinds.reduce(0) { $0 + $1.rejected } + s.kinds.flatMap { $0.byStatus }.filter { $0.key.hasPrefix("5") }.reduce(0) { $0 + $1.value }
        print("http-bench \(url): \(connections) connections, \(String(format: "%.1f", duration)) s")
        print("  requests     \(s.completed) in \(String(format: "%.2f", s.durationSeconds)) s")
        print("  Requests/sec: \(String(format: "%.2f", s.requestsPerSecond))")
        print("  latency      p50 \(String(format: "%.3f", s.latency.p50Ms)) ms  p99 \(String(format: "%.3f", s.latency.p99Ms)) ms  max \(String(format: "%.3f", s.latency.maxMs)) ms")
        print("  errors       \(errors) without answer, \(non2xx) non-2xx")
        if s.completed == 0 { throw ExitCode(2) }
    }
}
