import Foundation
import Logging

/// A swift-log handler writing one structured line per event to stderr in
/// logfmt: `ts=2025-06-01T12:00:00.000Z level=info logger=flashsale msg="…" key=value`.
///
/// The engine logs lifecycle and trouble (start, Redis down/up, lease
/// reclaim, shutdown), never one line per request.
public struct LogfmtLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String

    /// Creates a handler for `label` at `level`.
    public init(label: String, level: Logger.Level) {
        self.label = label
        logLevel = level
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        FileHandle.standardError.write(Data(Self.format(
            event: event, label: label, metadata: metadata,
            nowMillis: Int64(Date().timeIntervalSince1970 * 1000)).utf8))
    }

    /// The logfmt line (with newline) for `event`.
    static func format(event: LogEvent, label: String, metadata: Logger.Metadata, nowMillis: Int64) -> String {
        var line = "ts=" + RFC3339.string(fromMillis: nowMillis)
        line += " level=\(event.level.rawValue) logger=\(quote(label)) msg=\(quote(event.message.description))"
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        for key in merged.keys.sorted() {
            line += " \(key)=\(quote(merged[key]?.description ?? ""))"
        }
        return line + "\n"
    }

    /// Quotes a value when it holds a space, `=` or `"`.
    static func quote(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "=" || $0 == "\"" || $0.isNewline }
        guard needsQuotes else { return value }
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
        return "\"" + escaped + "\""
    }

    /// Installs this handler for every logger, once per process.
    public static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in LogfmtLogHandler(label: label, level: level) }
    }
}
