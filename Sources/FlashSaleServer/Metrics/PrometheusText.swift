/// Writes the Prometheus text exposition format (version 0.0.4): `# HELP` and
/// `# TYPE` once per family, then its samples. Used by the engine's and the
/// dashboard's `/metrics`.
public struct PrometheusText {
    /// The `Content-Type` of the text.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// What has been written.
    public private(set) var text = ""

    /// An empty exposition.
    public init(capacity: Int = 16 * 1024) {
        text.reserveCapacity(capacity)
    }

    /// Starts a metric family (`type`: counter, gauge, histogram).
    public mutating func family(_ name: String, help: String, type: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    /// One sample line: `name{k="v",…} value`.
    public mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: String) {
        text += name
        if !labels.isEmpty {
            text += "{"
            for (index, (key, labelValue)) in labels.enumerated() {
                if index > 0 { text += "," }
                text += key
                text += "=\""
                text += Self.escapeLabel(labelValue)
                text += "\""
            }
            text += "}"
        }
        text += " "
        text += value
        text += "\n"
    }

    /// One integer sample.
    public mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Int64) {
        sample(name, labels, String(value))
    }

    /// The `_bucket`, `_sum` and `_count` lines of one histogram series.
    /// `counts`: observations per bucket (not cumulative), one more than
    /// `bounds` (`+Inf`); `format` renders a bound or the sum (e.g. µs as seconds).
    public mutating func histogram(
        _ name: String, _ labels: [(String, String)], bounds: [UInt64], counts: ArraySlice<UInt64>, sum: UInt64,
        format: (UInt64) -> String = { String($0) }
    ) {
        var cumulative: UInt64 = 0
        for (index, bound) in bounds.enumerated() {
            cumulative &+= counts[counts.startIndex + index]
            sample(name + "_bucket", labels + [("le", format(bound))], String(cumulative))
        }
        cumulative &+= counts[counts.startIndex + bounds.count]
        sample(name + "_bucket", labels + [("le", "+Inf")], String(cumulative))
        sample(name + "_sum", labels, format(sum))
        sample(name + "_count", labels, String(cumulative))
    }

    /// Label values escape `\`, `"` and newline.
    public static func escapeLabel(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == 0x0A }) else {
            return value
        }
        var out = ""
        for character in value.unicodeScalars {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    /// Microseconds as decimal seconds without Foundation (e.g. 2500 -> "0.0025").
    public static func seconds(micros: UInt64) -> String {
        let whole = micros / 1_000_000
        var fraction = micros % 1_000_000
        guard fraction > 0 else { return String(whole) }
        var digits = 6
        while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
        let text = String(fraction)
        return String(whole) + "." + String(repeating: "0", count: digits - text.count) + text
    }
}
