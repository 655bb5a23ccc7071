import Foundation

/// Everything one run produced: what was asked, what happened, the verdicts.
/// This is the JSON report; the text and HTML reports render it.
public struct RunReport: Sendable, Codable {
    /// Scenario name and its parameters, as text ("users" → "200000").
    public var scenario: String
    /// The parameters (flag name → value).
    public var parameters: [String: String]
    /// Engine URL.
    public var target: String
    /// Sale and SKU.
    public var sale: String
    /// The SKU bought.
    public var sku: String
    /// Units on sale (0 when unknown).
    public var stock: Int
    /// Wall-clock start (RFC 3339).
    public var startedAt: String
    /// Throughput, latency, outcomes, series.
    public var summary: RunSummary
    /// Requests never sent.
    public var notSent: Int
    /// Seconds spent minting JWTs before the run.
    public var mintSeconds: Double
    /// Acknowledged orders, sold-out answers, unknown purchases.
    public var acknowledgedOrders: Int
    /// Purchases refused with sold_out.
    public var soldOutAnswers: Int
    /// Purchases without a definite answer.
    public var unknownPurchases: Int
    /// The oracle's verdicts (empty when not verified).
    public var verdicts: [InvariantVerdict]
    /// Why verification could not run, if it could not.
    public var verifyError: String?

    /// Whether every verdict is PASS or SKIP and verification ran.
    public var passed: Bool { verifyError == nil && !verdicts.contains { $0.status == .fail } }

    /// The report as pretty-printed JSON.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// The sell-out time: when the last unit was acknowledged, if the sale sold out.
    public var sellOutSeconds: Double? {
        guard stock > 0, summary.unitsSold >= stock || summary.firstSoldOutSeconds != nil else { return nil }
        return summary.lastPurchaseOKSeconds
    }
}
