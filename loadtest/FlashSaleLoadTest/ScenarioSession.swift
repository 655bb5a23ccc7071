import FlashSaleServer
import FlashSaleRedis
import FlashSaleClient
import Foundation

/// One scenario end to end: optional sale creation, the run, waiting for
/// reservations to expire (lifecycle), the oracle, the report.
public struct ScenarioSession: Sendable {
    /// The run.
    public var driver: DriverConfiguration
    /// Flags as given, for the report.
    public var parameters: [String: String]
    /// Create the sale first with this stock, limit and TTL (needs an admin token).
    public var createSale: (adminToken: String, stock: Int, perUserLimit: Int, ttlSeconds: Int)?
    /// Redis URL for the oracle (nil: no verification).
    public var redisURL: String?
    /// Seconds to wait for leases to be returned before judging undersell.
    public var settleSeconds: Double
    /// Lifecycle: seconds to wait for unpaid reservations to expire before verifying.
    public var expireWaitSeconds: Double
    /// Runs right before the oracle reads Redis (after the expiry wait), e.g. to stop the
    /// engine gracefully so that it hands its leases back.
    public var beforeVerify: (@Sendable () -> Void)?

    /// Creates a session.
    public init(driver: DriverConfiguration, parameters: [String: String] = [:],
                createSale: (adminToken: String, stock: Int, perUserLimit: Int, ttlSeconds: Int)? = nil,
                redisURL: String? = nil, settleSeconds: Double = 15, expireWaitSeconds: Double = 0) {
        self.driver = driver
        self.parameters = parameters
        self.createSale = createSale
        self.redisURL = redisURL
        self.settleSeconds = settleSeconds
        self.expireWaitSeconds = expireWaitSeconds
    }

    /// Runs it. `log` gets short status lines; `progress` the live figures.
    public func run(log: @Sendable (String) -> Void = { _ in },
                    progress: (@Sendable (RunProgress) -> Void)? = nil) throws -> (RunReport, DriverEvidence) {
        let config = driver
        var stock = 0
        if let create = createSale {
            let status = try SaleAdmin.upsert(
                host: config.host, port: config.port, adminToken: create.adminToken, sale: config.sale, sku: config.sku,
                stock: create.stock, perUserLimit: create.perUserLimit, reservationTTLSeconds: create.ttlSeconds)
            log("sale \(config.sale): \(status == 201 ? "created" : "updated"), \(create.stock) units of \(config.sku), limit \(create.perUserLimit)/user, reservations \(create.ttlSeconds) s")
            stock = create.stock
        } else if config.scenario.name != "http-bench" {
            stock = (try? SaleAdmin.stock(host: config.host, port: config.port, sale: config.sale, sku: config.sku)) ?? 0
        }
        let startedAt = RFC3339.string(fromMillis: Int64(Date().timeIntervalSince1970) * 1000)
        if case .jwt = config.auth { log("minting \(config.scenario.userCount) HS256 tokens") }
        let result = LoadRun.execute(config, progress: progress)
        var verdicts: [InvariantVerdict] = []
        var verifyError: String?
        if let redisURL {
            do {
                let redis = try BlockingRedisSession(url: redisURL, timeoutSeconds: 10)
                defer { redis.close() }
                if expireWaitSeconds > 0 {
                    log("waiting up to \(Int(expireWaitSeconds)) s for unpaid reservations to expire")
                    try waitForNoReservations(redis: redis, seconds: expireWaitSeconds)
                }
                beforeVerify?()
                verdicts = try Oracle.verify(sale: config.sale, redis: redis, evidence: result.evidence,
                                             settleSeconds: settleSeconds)
            } catch {
                verifyError = "\(error)"
            }
        }
        let report = RunReport(
            scenario: config.scenario.name, parameters: parameters, target: "http://\(config.host):\(config.port)",
            sale: config.sale, sku: config.sku, stock: stock, startedAt: startedAt, result: result,
            verdicts: verdicts, verifyError: verifyError)
        return (report, result.evidence)
    }

    private func waitForNoReservations(redis: RedisCommandRunner, seconds: Double) throws {
        let key = FlashSaleKeys(sale: driver.sale).counts(driver.sku)
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let reserved = try redis.command(["HGET", key, "reserved"]).int ?? 0
            if reserved == 0 { return }
            Thread.sleep(forTimeInterval: 0.25)
        }
    }

    /// Writes report.json, report.html and evidence.json into `directory`; returns their paths.
    public static func write(report: RunReport, evidence: DriverEvidence, to directory: String) throws -> (json: String, html: String, evidence: String) {
        let dir = URL(fileURLWithPath: directory, isDirectory: true)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let json = dir.appendingPathComponent("report.json")
        let html = dir.appendingPathComponent("report.html")
        let evidencePath = dir.appendingPathComponent("evidence.json")
        try report.json().write(to: json)
        try Data(HTMLReport.render(report).utf8).write(to: html)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(evidence).write(to: evidencePath)
        return (json.path, html.path, evidencePath.path)
    }
}
