import FlashSaleClient
import ArgumentParser
import FlashSaleLoadTest
import Foundation

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Read a sale from Redis and check every invariant (PASS/FAIL per invariant; exit 1 on any FAIL).")

    @Option(help: "The sale id.")
    var sale: String

    @Option(help: "Redis URL.")
    var redis = "redis://127.0.0.1:6379"

    @Option(help: "evidence.json written by a run: checks that every 201 it saw is in Redis.")
    var evidence: String?

    @Flag(help: "Demand exceeded stock (judge undersell even without evidence).")
    var expectSellout = false

    @Option(help: "Seconds to wait for leases to be returned before judging undersell.")
    var settle = 0.0

    @Flag(help: "Print the verdicts as JSON.")
    var json = false

    func run() throws {
        var driverEvidence: DriverEvidence?
        if let evidence {
            do {
                driverEvidence = try JSONDecoder().decode(DriverEvidence.self, from: Data(contentsOf: URL(fileURLWithPath: evidence)))
            } catch {
                printError("flashsale-loadtest verify: cannot read \(evidence): \(error)")
                throw ExitCode(2)
            }
        }
        let verdicts: [InvariantVerdict]
        do {
            let runner = try BlockingRedisSession(url: redis, timeoutSeconds: 10)
            defer { runner.close() }
            verdicts = try Oracle.verify(
                sale: sale, redis: runner, evidence: driverEvidence,
                demandExceededStock: expectSellout ? true : nil, settleSeconds: settle)
        } catch {
            printError("flashsale-loadtest verify: \(error)")
            throw ExitCode(2)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(verdicts), as: UTF8.self))
        } else {
            print("verify sale \(sale) in \(redis)")
            print(TextReport.renderVerdicts(verdicts), terminator: "")
        }
        let failed = verdicts.contains { $0.status == .fail }
        if !json { print(failed ? "VERDICT      FAIL" : "VERDICT      PASS") }
        if failed { throw ExitCode(1) }
    }
}
