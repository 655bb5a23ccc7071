import Foundation

/// A self-contained HTML report (inline CSS and SVG, no scripts, no network).
public enum HTMLReport {
    /// Renders `report` as one HTML page.
    public static func render(_ report: RunReport) -> String {
        let s = report.summary
        var html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8">
            <title>flashsale-loadtest \(esc(report.scenario)) — \(esc(report.sale))</title>
            <style>
            body{font:14px/1.45 -apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:24px auto;max-width:1100px;color:#1d2330;padding:0 16px}
            h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #dde2ea;padding-bottom:4px}
            .sub{color:#5b6475;margin-bottom:16px}
            .cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:10px}
            .card{border:1px solid #dde2ea;border-radius:8px;padding:10px 12px;background:#fafbfd}
            .card b{display:block;font-size:20px}.card span{color:#5b6475;font-size:12px}
            table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #e6e9ef;padding:6px 8px;text-align:left;vertical-align:top}
            th{background:#f3f5f9;font-weight:600}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
            .PASS{color:#fff;background:#1f9d55;border-radius:4px;padding:2px 8px;font-weight:700}
            .FAIL{color:#fff;background:#d64545;border-radius:4px;padding:2px 8px;font-weight:700}
            .SKIP{color:#1d2330;background:#e3e6ec;border-radius:4px;padding:2px 8px;font-weight:700}
            .verdict{font-size:18px;margin:8px 0}.detail{color:#3d4556;font-size:13px}
            svg{background:#fff;border:1px solid #dde2ea;border-radius:8px}
            .legend span{display:inline-block;margin-right:14px;font-size:12px}.legend i{display:inline-block;width:12px;height:3px;margin-right:5px;vertical-align:middle}
            </style></head><body>
            <h1>flashsale-loadtest: \(esc(report.scenario))</h1>
            <div class="sub">\(esc(report.target)) · sale <b>\(esc(report.sale))</b> · sku <b>\(esc(report.sku))</b> · started \(esc(report.startedAt))\(report.parameters.isEmpty ? "" : " · " + esc(report.parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")))</div>

            """
        html += verdictBanner(report)
        html += "<div class=\"cards\">"
        html += card(fmt(s.requestsPerSecond, 0), "requests / s")
        html += card("\(s.completed)", "requests in \(fmt(s.durationSeconds, 2)) s")
        html += card(TextReport.ms(s.latency.p50Ms), "latency p50")
        html += card(TextReport.ms(s.latency.p99Ms), "latency p99")
        html += card(TextReport.ms(s.latency.p999Ms), "latency p99.9")
        html += card(TextReport.ms(s.latency.maxMs), "latency max")
        if report.stock > 0 || s.unitsSold > 0 {
            html += card(report.stock > 0 ? "\(s.unitsSold) / \(report.stock)" : "\(s.unitsSold)", "units sold")
        }
        if let sellOut = report.sellOutSeconds { html += card("\(fmt(sellOut, 2)) s", "sold out after") }
        html += "</div>\n"

        html += "<h2>Latency over time (from the scheduled send time)</h2>\n"
        let withAnswers = s.series.filter { $0.ok + $0.rejected + $0.unknown > 0 }
        html += lineChart(
            series: [("p50", "#2f6fdf", withAnswers.map(\.p50Ms)), ("p99", "#e08a1e", withAnswers.map(\.p99Ms)),
                     ("max", "#c23b3b", withAnswers.map(\.maxMs))],
            times: withAnswers.map { $0.tSeconds + s.bucketSeconds / 2 },
            maxT: (s.series.last?.tSeconds ?? 0) + s.bucketSeconds, unit: "ms")
        html += "<h2>Throughput over time</h2>\n"
        html += stackedBars(series: s.series, bucketSeconds: s.bucketSeconds)

        html += "<h2>Latency distribution</h2>\n<table><tr><th></th><th class=num>p50</th><th class=num>p90</th><th class=num>p99</th><th class=num>p99.9</th><th class=num>max</th><th class=num>mean</th></tr>"
        for (name, l) in [("from scheduled time (corrected)", s.latency), ("from actual send (service time)", s.serviceTime)] {
            html += "<tr><td>\(name)</td><td class=num>\(TextReport.ms(l.p50Ms))</td><td class=num>\(TextReport.ms(l.p90Ms))</td><td class=num>\(TextReport.ms(l.p99Ms))</td><td class=num>\(TextReport.ms(l.p999Ms))</td><td class=num>\(TextReport.ms(l.maxMs))</td><td class=num>\(TextReport.ms(l.meanMs))</td></tr>"
        }
        html += "</table>\n"

        html += "<h2>Outcomes</h2>\n"
        html += outcomes(s.kinds)

        html += "<h2>Invariants (oracle, read from Redis)</h2>\n"
        if let error = report.verifyError {
            html += "<p class=\"detail\">Verification could not run: \(esc(error))</p>"
        } else if report.verdicts.isEmpty {
            html += "<p class=\"detail\">Not verified (no Redis URL given).</p>"
        } else {
            html += "<table><tr><th>verdict</th><th>invariant</th><th>figures</th></tr>"
            for verdict in report.verdicts {
                html += "<tr><td><span class=\"\(verdict.status.rawValue)\">\(verdict.status.rawValue)</span></td><td><b>\(esc(verdict.id))</b><br><span class=detail>\(esc(verdict.title))</span></td><td class=detail>\(esc(verdict.detail))</td></tr>"
            }
            html += "</table>\n"
        }
        html += "<p class=\"detail\">\(report.acknowledgedOrders) orders acknowledged with 201 · \(report.soldOutAnswers) sold_out answers · \(report.unknownPurchases) purchases without a definite answer · \(report.notSent) requests not sent\(report.mintSeconds > 0.01 ? " · tokens minted in \(fmt(report.mintSeconds, 2)) s before the run" : "")</p>\n"
        html += "</body></html>\n"
        return html
    }

    private static func verdictBanner(_ report: RunReport) -> String {
        if report.verifyError != nil || report.verdicts.isEmpty { return "" }
        let pass = report.passed
        let fails = report.verdicts.filter { $0.status == .fail }.count
        return "<p class=\"verdict\"><span class=\"\(pass ? "PASS" : "FAIL")\">\(pass ? "PASS" : "FAIL")</span> \(pass ? "every invariant holds" : "\(fails) invariant(s) broken")</p>\n"
    }

    private static func card(_ value: String, _ label: String) -> String {
        "<div class=\"card\"><b>\(esc(value))</b><span>\(esc(label))</span></div>"
    }

    private static func outcomes(_ kinds: [KindSummary]) -> String {
        var html = ""
        let total = max(1, kinds.reduce(0) { $0 + $1.ok + $1.rejected + $1.unknown })
        html += "<svg width=\"100%\" viewBox=\"0 0 1000 \(kinds.count * 34 + 14)\" role=\"img\" aria-label=\"outcomes\">"
        for (row, kind) in kinds.enumerated() {
            let y = 10 + row * 34
            let all = kind.ok + kind.rejected + kind.unknown
            let scale = 800.0 * Double(all) / Double(total)
            var x = 120.0
            html += "<text x=\"10\" y=\"\(y + 17)\" font-size=\"13\">\(esc(kind.kind))</text>"
            for (count, color) in outcomeSegments(ok: kind.ok, rejected: kind.rejected, unknown: kind.unknown) {
                let width = max(1, scale * Double(count) / Double(max(all, 1)))
                html += "<rect x=\"\(fmt(x, 1))\" y=\"\(y)\" width=\"\(fmt(width, 1))\" height=\"24\" fill=\"\(color)\"/>"
                x += width
            }
            html += "<text x=\"990\" y=\"\(y + 17)\" font-size=\"12\" text-anchor=\"end\" fill=\"#3d4556\">\(all)</text>"
        }
        html += "</svg>"
        html += legend([("ok (2xx)", okColor), ("rejected (definite refusal)", rejectedColor), ("unknown (timeout, reset, 5xx)", unknownColor)])
        html += "<table><tr><th>request</th><th class=num>ok</th><th class=num>rejected</th><th class=num>unknown</th><th>by status</th><th>by error code</th><th>no answer</th></tr>"
        for kind in kinds {
            let statuses = kind.byStatus.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "<br>")
            let codes = kind.byErrorCode.sorted { $0.key < $1.key }.map { "\(esc($0.key)): \($0.value)" }.joined(separator: "<br>")
            let unknown = kind.unknownReasons.sorted { $0.key < $1.key }.map { "\(esc($0.key)): \($0.value)" }.joined(separator: "<br>")
            html += "<tr><td>\(esc(kind.kind))</td><td class=num>\(kind.ok)</td><td class=num>\(kind.rejected)</td><td class=num>\(kind.unknown)</td><td>\(statuses)</td><td>\(codes)</td><td>\(unknown)</td></tr>"
        }
        return html + "</table>\n"
    }

    // MARK: Charts

    private static let width = 1000.0
    private static let height = 280.0
    private static let left = 64.0
    private static let right = 16.0
    private static let top = 24.0
    private static let bottom = 34.0

    private static func lineChart(series: [(String, String, [Double])], times: [Double], maxT: Double, unit: String) -> String {
        guard !times.isEmpty else { return "<p class=detail>No samples.</p>" }
        let maxT = max(maxT, 0.001)
        let maxY = niceCeiling(series.flatMap(\.2).max() ?? 1)
        var svg = axes(maxT: maxT, maxY: maxY, unit: unit)
        for (_, color, values) in series {
            let points = zip(times, values).map { "\(fmt(x($0, maxT), 1)),\(fmt(y($1, maxY), 1))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\"\(points)\"/>"
        }
        return svg + "</svg>" + legend(series.map { ($0.0, $0.1) })
    }

    private static func stackedBars(series: [SeriesPoint], bucketSeconds: Double) -> String {
        guard !series.isEmpty else { return "<p class=detail>No samples.</p>" }
        let maxT = max((series.last?.tSeconds ?? 0) + bucketSeconds, 0.001)
        let maxY = niceCeiling(series.map(\.requestsPerSecond).max() ?? 1)
        var svg = axes(maxT: maxT, maxY: maxY, unit: "req/s")
        let barWidth = max(1, (x(bucketSeconds, maxT) - left) - 1)
        for point in series {
            let x0 = x(point.tSeconds, maxT)
            var base = 0.0
            for (count, color) in outcomeSegments(ok: point.ok, rejected: point.rejected, unknown: point.unknown) {
                let rate = Double(count) / bucketSeconds
                let yTop = y(base + rate, maxY)
                let yBottom = y(base, maxY)
                svg += "<rect x=\"\(fmt(x0, 1))\" y=\"\(fmt(yTop, 1))\" width=\"\(fmt(barWidth, 1))\" height=\"\(fmt(max(0.5, yBottom - yTop), 1))\" fill=\"\(color)\"/>"
                base += rate
            }
        }
        return svg + "</svg>" + legend([("ok", okColor), ("rejected", rejectedColor), ("unknown", unknownColor)],
                                       note: "(answers per second, \(fmt(bucketSeconds * 1000, 0)) ms buckets)")
    }

    /// Outcome colours: ok, rejected (a definite refusal), unknown.
    private static let okColor = "#1f9d55"
    private static let rejectedColor = "#e0a21e"
    private static let unknownColor = "#c23b3b"

    /// The non-empty outcomes of a bar, in drawing order, with their colours.
    private static func outcomeSegments(ok: Int, rejected: Int, unknown: Int) -> [(count: Int, color: String)] {
        [(ok, okColor), (rejected, rejectedColor), (unknown, unknownColor)].filter { $0.count > 0 }
    }

    /// A chart's legend: a swatch and a label per series, then an optional note.
    private static func legend(_ entries: [(label: String, color: String)], note: String? = nil) -> String {
        "<div class=\"legend\">" + entries.map { "<span><i style=\"background:\($0.color)\"></i>\($0.label)</span>" }.joined()
            + (note.map { "<span>\($0)</span>" } ?? "") + "</div>"
    }

    private static func axes(maxT: Double, maxY: Double, unit: String) -> String {
        var svg = "<svg width=\"100%\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\">"
        for step in 0...4 {
            let value = maxY * Double(step) / 4
            let yy = y(value, maxY)
            svg += "<line x1=\"\(left)\" x2=\"\(width - right)\" y1=\"\(fmt(yy, 1))\" y2=\"\(fmt(yy, 1))\" stroke=\"#e6e9ef\"/>"
            svg += "<text x=\"\(left - 6)\" y=\"\(fmt(yy + 4, 1))\" font-size=\"11\" text-anchor=\"end\" fill=\"#5b6475\">\(axisLabel(value))</text>"
        }
        let tick = niceCeiling(maxT / 6)
        var t = 0.0
        while t <= maxT + tick * 1e-9 {
            let xx = x(t, maxT)
            svg += "<text x=\"\(fmt(xx, 1))\" y=\"\(height - bottom + 16)\" font-size=\"11\" text-anchor=\"middle\" fill=\"#5b6475\">\(fmt(t, tick < 1 ? (tick < 0.1 ? 2 : 1) : 0)) s</text>"
            t += tick
        }
        svg += "<text x=\"\(left)\" y=\"12\" font-size=\"11\" fill=\"#5b6475\">\(esc(unit))</text>"
        svg += "<line x1=\"\(left)\" x2=\"\(width - right)\" y1=\"\(height - bottom)\" y2=\"\(height - bottom)\" stroke=\"#9aa3b2\"/>"
        return svg
    }

    private static func x(_ t: Double, _ maxT: Double) -> Double { left + (width - left - right) * t / maxT }
    private static func y(_ v: Double, _ maxY: Double) -> Double { height - bottom - (height - top - bottom) * min(v, maxY) / maxY }

    private static func niceCeiling(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let magnitude = pow(10, floor(log10(value)))
        for factor in [1.0, 2.0, 2.5, 5.0, 10.0] where value <= factor * magnitude { return factor * magnitude }
        return 10 * magnitude
    }

    private static func axisLabel(_ value: Double) -> String {
        if value == 0 { return "0" }
        if value >= 1_000_000 { return fmt(value / 1_000_000, 1) + "M" }
        if value >= 10_000 { return fmt(value / 1000, 0) + "k" }
        if value >= 100 { return fmt(value, 0) }
        return fmt(value, value < 10 ? 2 : 1)
    }

    private static func fmt(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

    static func esc(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }
}
