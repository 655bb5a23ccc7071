import Foundation

/// The plain-text summary printed at the end of a run.
public enum TextReport {
    /// Renders `report`.
    public static func render(_ report: RunReport) -> String {
        let s = report.summary
        var out = ""
        func line(_ text: String = "") { out += text + "\n" }
        line("== flashsale-loadtest \(report.scenario) against \(report.target) (sale \(report.sale), sku \(report.sku))")
        if !report.parameters.isEmpty {
            line("   " + report.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
        line()
        line("throughput   \(fmt(s.requestsPerSecond, 0)) req/s   (\(s.completed) answered or given up in \(fmt(s.durationSeconds, 2)) s, \(s.sent) sent, \(report.notSent) not sent)")
        line("latency      " + latencyLine(s.latency) + "   (from the scheduled send time)")
        line("service time " + latencyLine(s.serviceTime) + "   (from the actual send)")
        if report.mintSeconds > 0.01 { line("tokens       minted in \(fmt(report.mintSeconds, 2)) s before the run") }
        line()
        line("outcomes")
        for kind in s.kinds {
            let statuses = kind.byStatus.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")
            let codes = kind.byErrorCode.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")
            let unknown = kind.unknownReasons.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")
            line("  \(kind.kind.padding(toLength: 9, withPad: " ", startingAt: 0)) ok \(kind.ok)  rejected \(kind.rejected)  unknown \(kind.unknown)")
            if !statuses.isEmpty { line("            status: \(statuses)") }
            if !codes.isEmpty { line("            codes:  \(codes)") }
            if !unknown.isEmpty { line("            no answer: \(unknown)") }
        }
        if report.stock > 0 || s.unitsSold > 0 {
            line()
            var sold = "sold         \(s.unitsSold)" + (report.stock > 0 ? "/\(report.stock) units" : " units")
            if let sellOut = report.sellOutSeconds {
                sold += ", sold out at \(fmt(sellOut, 3)) s"
            }
            if let first = s.firstSoldOutSeconds { sold += " (first sold_out answer at \(fmt(first, 3)) s)" }
            line(sold)
        }
        line()
        if let error = report.verifyError {
            line("verify       could not run: \(error)")
        } else if report.verdicts.isEmpty {
            line("verify       not run")
        } else {
            out += renderVerdicts(report.verdicts)
            line(report.passed ? "VERDICT      PASS" : "VERDICT      FAIL")
        }
        return out
    }

    /// The verdict table alone (what `verify` prints).
    public static func renderVerdicts(_ verdicts: [InvariantVerdict]) -> String {
        var out = ""
        for verdict in verdicts {
            out += "  \(verdict.status.rawValue)  \(verdict.id.padding(toLength: 18, withPad: " ", startingAt: 0)) \(verdict.title)\n"
            out += "        \(verdict.detail)\n"
        }
        return out
    }

    static func latencyLine(_ l: LatencySummary) -> String {
        "p50 \(ms(l.p50Ms))  p90 \(ms(l.p90Ms))  p99 \(ms(l.p99Ms))  p99.9 \(ms(l.p999Ms))  max \(ms(l.maxMs))"
    }

    static func ms(_ value: Double) -> String { value >= 100 ? "\(fmt(value, 0)) ms" : "\(fmt(value, 2)) ms" }

    static func fmt(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
}
