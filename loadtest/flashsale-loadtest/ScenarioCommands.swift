import ArgumentParser
import FlashSaleLoadTest
import Foundation

struct BurstCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "burst",
        abstract: "N distinct users each try to buy within a window of T seconds (the flash moment).")

    enum Defaults: ArrivalDefaults {
        static let users = 200_000
        static let window = 2.0
    }

    @OptionGroup var target: TargetOptions

    @OptionGroup var arrivals: ArrivalOptions<Defaults>

    @Option(help: "Share of buyers who send the same purchase again (same Idempotency-Key) after the first answer.")
    var retryShare = 0.05

    @Option(help: "Share of buyers who then try to buy again with a new key (more than the limit).")
    var greedyShare = 0.05

    func run() throws {
        let scenario = Scenario.burst(
            users: arrivals.users, windowSeconds: arrivals.window, retryShare: retryShare, greedyShare: greedyShare)
        let parameters = arrivals.parameters.merging(["retry-share": "\(retryShare)", "greedy-share": "\(greedyShare)"]) { $1 }
        try runScenario(scenario, target: target, parameters: parameters, expireWait: 0)
    }
}

struct SteadyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "steady",
        abstract: "Open-loop arrivals at R purchases/s for D seconds (latency corrected for coordinated omission).")

    @OptionGroup var target: TargetOptions

    @Option(help: "Purchases per second (each from a new buyer).")
    var rate = 1000.0

    @Option(help: "Seconds of arrivals.")
    var duration = 10.0

    func run() throws {
        let scenario = Scenario.steady(rate: rate, durationSeconds: duration)
        try runScenario(scenario, target: target, parameters: ["rate": "\(rate)/s", "duration": "\(duration)s"], expireWait: 0)
    }
}

struct LifecycleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lifecycle",
        abstract: "Buy, then pay, cancel or let the reservation expire, in given proportions.")

    enum Defaults: ArrivalDefaults {
        static let users = 1000
        static let window = 1.0
    }

    @OptionGroup var target: TargetOptions

    @OptionGroup var arrivals: ArrivalOptions<Defaults>

    @Option(help: "Share of buyers with an order who pay it.")
    var payShare = 0.5

    @Option(help: "Share who cancel it (the rest let it expire).")
    var cancelShare = 0.25

    @Option(help: "Seconds to wait after the run for unpaid reservations to expire (default: reservation TTL + 10).")
    var expireWait: Double?

    func validate() throws {
        guard payShare >= 0, cancelShare >= 0, payShare + cancelShare <= 1 else {
            throw ValidationError("--pay-share and --cancel-share must be >= 0 and add up to at most 1")
        }
    }

    func run() throws {
        let scenario = Scenario.lifecycle(
            users: arrivals.users, windowSeconds: arrivals.window, payShare: payShare, cancelShare: cancelShare)
        let expireShare = max(0, 1 - payShare - cancelShare)
        let wait = expireWait ?? (expireShare > 0 ? Double(target.creation.reservationTTL) + 10 : 0)
        let parameters = arrivals.parameters.merging(
            ["pay": "\(payShare)", "cancel": "\(cancelShare)", "expire": String(format: "%.2f", expireShare)]) { $1 }
        try runScenario(scenario, target: target, parameters: parameters, expireWait: wait)
    }
}

/// Runs a scenario with the shared options, prints and writes the reports, exits with the verdict.
func runScenario(_ scenario: Scenario, target: TargetOptions, parameters: [String: String], expireWait: Double) throws {
    let (host, port) = try target.endpoint()
    let environment = ProcessInfo.processInfo.environment
    var driver = DriverConfiguration(
        host: host, port: port, sale: target.sale, sku: target.sku, scenario: scenario, quantity: target.qty,
        connections: target.connections, requestTimeoutSeconds: target.timeout, auth: try target.auth(),
        paymentToken: environment["FLASHSALE_PAYMENT_TOKEN"] ?? "", userPrefix: target.userPrefix,
        keyPrefix: target.keyPrefix ?? "k\(UInt32.random(in: 0...UInt32.max))")
    driver.progressIntervalSeconds = target.quiet ? 0 : 1
    if case .lifecycle = scenario, driver.paymentToken.isEmpty {
        throw ValidationError("FLASHSALE_PAYMENT_TOKEN is not set (lifecycle pays orders)")
    }
    let create = try target.creation.request()
    var allParameters = parameters
    allParameters["connections"] = "\(target.connections)"
    allParameters["auth"] = target.trustUserHeader ? "x-user-id" : "jwt"
    let session = ScenarioSession(
        driver: driver, parameters: allParameters, createSale: create, redisURL: target.redis,
        settleSeconds: target.settle, expireWaitSeconds: expireWait)
    let stock = create?.stock ?? 0
    let printer = ProgressPrinter(stock: stock)
    let report: RunReport
    let evidence: DriverEvidence
    var progress: (@Sendable (RunProgress) -> Void)?
    if !target.quiet { progress = { @Sendable update in printer.show(update) } }
    do {
        let outcome = try session.run(log: { printError("• " + $0) }, progress: progress)
        report = outcome.0
        evidence = outcome.1
    } catch {
        printError("flashsale-loadtest: \(error)")
        throw ExitCode(2)
    }
    printer.finish()
    print(TextReport.render(report), terminator: "")
    let paths = try ScenarioSession.write(report: report, evidence: evidence, to: target.out)
    print("reports      \(paths.html)\n             \(paths.json)\n             \(paths.evidence)")
    if report.verifyError != nil { throw ExitCode(2) }
    if !report.passed { throw ExitCode(1) }
}

/// The live progress line on standard error (rewritten in place on a terminal).
final class ProgressPrinter: @unchecked Sendable {
    private let stock: Int
    private let isTerminal = isatty(2) == 1
    private var printedInPlace = false

    init(stock: Int) { self.stock = stock }

    func show(_ p: RunProgress) {
        let sold = stock > 0 ? "\(p.unitsSold)/\(stock)" : "\(p.unitsSold)"
        let text = String(format: "  %6.1fs  sent %9d  %8.0f req/s  p99 %8.2f ms  sold %@  conns %d",
                          p.elapsedSeconds, p.sent, p.requestsPerSecond, p.p99Ms, sold, p.openConnections)
        if isTerminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
            printedInPlace = true
        } else {
            printError(text)
        }
    }

    func finish() {
        if printedInPlace { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}
