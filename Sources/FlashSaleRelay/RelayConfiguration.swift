import FlashSaleClient
import Foundation

/// One webhook endpoint of the relay's configuration file.
public struct RelayEndpoint: Sendable {
    /// Unique name (labels, dead letters, logs): 1–64 bytes of `A–Z a–z 0–9 . _ -`.
    public var name: String
    /// Where to `POST` (http only).
    public var url: HTTPURL
    /// Signing secrets (first = current; more while rotating).
    public var secrets: [WebhookSecret]
    /// Event types delivered; nil: every type.
    public var events: Set<String>?
    /// Time allowed for one attempt (connect, send, answer). Default 10 000 ms.
    public var timeoutMillis: UInt64 = 10_000
    /// Attempts in flight at once (= keep-alive connections) at most. Default 16.
    public var concurrency: Int = 16

    /// Whether events of `type` go to this endpoint.
    public func wants(_ type: String) -> Bool { events?.contains(type) ?? true }
}

/// The relay's settings: the configuration file (`docs/integration.md`, "Relay
/// configuration") plus what the command line adds.
public struct RelayConfiguration: Sendable {
    /// Redis URLs (the first is used until the cluster router lands; the rest are seeds).
    public var redisURLs: [String] = ["redis://127.0.0.1:6379"]
    /// This process's consumer name in the `fs-relay` group (stable across restarts).
    public var consumer = "relay"
    /// The webhook endpoints.
    public var endpoints: [RelayEndpoint] = []
    /// Delay before each retry, in ms: retry n waits `retrySchedule[n-1]` (± jitter);
    /// attempts = schedule count + 1. Default 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, 8 h.
    public var retryScheduleMillis: [UInt64] = RelayConfiguration.defaultRetrySchedule
    /// The default schedule (10 attempts over about 15 h 48 min).
    public static let defaultRetrySchedule: [UInt64] = [5_000, 30_000, 120_000, 600_000, 1_800_000, 3_600_000, 7_200_000, 14_400_000, 28_800_000]
    /// Idle time after which another consumer's pending entries are taken over (`XAUTOCLAIM`). Default 60 000 ms.
    public var claimIdleMillis: UInt64 = 60_000
    /// Entries per `XREADGROUP`/`XAUTOCLAIM` (`COUNT`). Default 100 (larger replies cost
    /// more CPU per event: 1000 measured about twice the CPU per delivery).
    public var readCount = 100
    /// Events read and not yet finished (delivered, dead or skipped everywhere) at most, per process. Default 10 000.
    public var maxPendingEvents = 10_000
    /// Pause between reads of a stream that had nothing new. Default 100 ms.
    public var pollMillis: UInt64 = 100
    /// How often `fs:sales` is read for new sales. Default 2 000 ms.
    public var discoverMillis: UInt64 = 2_000
    /// Consecutive failed attempts that open an endpoint's breaker. Default 5.
    public var breakerFailures = 5
    /// How long an open breaker waits before its half-open probe. Default 10 000 ms.
    public var breakerOpenMillis: UInt64 = 10_000
    /// Cap of each `fs:{S}:dead` stream (`MAXLEN ~`). Default 100 000.
    public var deadLetterMaxLength = 100_000
    /// Metrics listen address and port (0 picks a free one). Default 127.0.0.1:9464.
    public var metricsHost = "127.0.0.1"
    /// See ``metricsHost``.
    public var metricsPort = 9464
    /// Longest wait for in-flight attempts at shutdown. Default 10 000 ms.
    public var shutdownGraceMillis: UInt64 = 10_000

    /// Defaults, no endpoints.
    public init() {}

    /// A configuration problem, naming the field (`endpoints[1].secrets[0]: …`).
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        /// `field: reason`.
        public var description: String
        init(_ field: String, _ reason: String) { description = field.isEmpty ? reason : "\(field): \(reason)" }
    }

    /// Reads the JSON configuration `data` over the defaults; unknown fields are refused.
    /// A secret written `env:NAME` is looked up with `lookup(NAME)` (the command line reads
    /// the variable `NAME` or the file `NAME_FILE` names); nil there means "not set".
    public static func parse(
        _ data: Data, lookup: (String) throws -> String? = { _ in nil }
    ) throws(Invalid) -> RelayConfiguration {
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: data) } catch {
            throw Invalid("", "not valid JSON: \(error.localizedDescription)")
        }
        let top = try ConfigObject(root, path: "")
        try top.allow(["endpoints", "retry_schedule_ms", "claim_idle_ms", "read_count", "max_pending_events", "poll_ms",
                       "discover_ms", "breaker_failures", "breaker_open_ms", "dead_letter_max_length", "metrics_host",
                       "metrics_port", "shutdown_grace_ms"])
        var config = RelayConfiguration()
        guard let list = top.values["endpoints"] else { throw Invalid("endpoints", "is required (a list of endpoints)") }
        guard let endpoints = list as? [Any], !endpoints.isEmpty else { throw Invalid("endpoints", "must be a non-empty list") }
        var names = Set<String>()
        for (index, item) in endpoints.enumerated() {
            let endpoint = try parseEndpoint(ConfigObject(item, path: "endpoints[\(index)]"), lookup: lookup)
            guard names.insert(endpoint.name).inserted else {
                throw Invalid("endpoints[\(index)].name", "\(endpoint.name) is used by another endpoint")
            }
            config.endpoints.append(endpoint)
        }
        if let schedule = top.values["retry_schedule_ms"] {
            guard let steps = schedule as? [Any], steps.count <= 100 else {
                throw Invalid("retry_schedule_ms", "must be a list of at most 100 delays in ms")
            }
            config.retryScheduleMillis = try steps.enumerated().map { index, step throws(Invalid) in
                UInt64(try ConfigObject.integer(step, path: "retry_schedule_ms[\(index)]", 1...604_800_000))
            }
        }
        if let v = try top.integer("claim_idle_ms", 100...86_400_000) { config.claimIdleMillis = UInt64(v) }
        if let v = try top.integer("read_count", 1...10_000) { config.readCount = v }
        if let v = try top.integer("max_pending_events", 1...1_000_000) { config.maxPendingEvents = v }
        if let v = try top.integer("poll_ms", 1...60_000) { config.pollMillis = UInt64(v) }
        if let v = try top.integer("discover_ms", 10...3_600_000) { config.discoverMillis = UInt64(v) }
        if let v = try top.integer("breaker_failures", 1...1_000_000) { config.breakerFailures = v }
        if let v = try top.integer("breaker_open_ms", 1...86_400_000) { config.breakerOpenMillis = UInt64(v) }
        if let v = try top.integer("dead_letter_max_length", 1...100_000_000) { config.deadLetterMaxLength = v }
        if let v = try top.string("metrics_host") { config.metricsHost = v }
        if let v = try top.integer("metrics_port", 0...65_535) { config.metricsPort = v }
        if let v = try top.integer("shutdown_grace_ms", 0...600_000) { config.shutdownGraceMillis = UInt64(v) }
        return config
    }

    private static func parseEndpoint(_ object: ConfigObject, lookup: (String) throws -> String?) throws(Invalid) -> RelayEndpoint {
        let path = object.path
        try object.allow(["name", "url", "secrets", "events", "timeout_ms", "concurrency"])
        guard let name = try object.string("name") else { throw Invalid("\(path).name", "is required") }
        guard isValidName(name) else {
            throw Invalid("\(path).name", "must be 1-64 characters of A-Z a-z 0-9 . _ -, got \(name)")
        }
        guard let urlText = try object.string("url") else { throw Invalid("\(path).url", "is required") }
        let url: HTTPURL
        do { url = try HTTPURL(urlText) } catch { throw Invalid("\(path).url", error.description) }
        guard let secretList = object.values["secrets"] else {
            throw Invalid("\(path).secrets", "is required (one or more whsec_<base64> secrets)")
        }
        guard let secretItems = secretList as? [Any], !secretItems.isEmpty, secretItems.count <= 10 else {
            throw Invalid("\(path).secrets", "must be a list of 1-10 whsec_<base64> secrets")
        }
        var secrets: [WebhookSecret] = []
        for (index, item) in secretItems.enumerated() {
            let field = "\(path).secrets[\(index)]"
            guard var text = item as? String else { throw Invalid(field, "must be a string") }
            if text.hasPrefix("env:") {
                let name = String(text.dropFirst(4))
                let value: String?
                do { value = try lookup(name) } catch { throw Invalid(field, "\(error)") }
                guard let value else { throw Invalid(field, "\(name) (or \(name)_FILE) is not set") }
                text = value
            }
            do { secrets.append(try WebhookSecret(text)) } catch { throw Invalid(field, error.description) }
        }
        var endpoint = RelayEndpoint(name: name, url: url, secrets: secrets, events: nil)
        if let list = object.values["events"] {
            guard let items = list as? [Any], !items.isEmpty else {
                throw Invalid("\(path).events", "must be a non-empty list of event types (leave it out for every type)")
            }
            var types = Set<String>()
            for (index, item) in items.enumerated() {
                guard let type = item as? String, isValidName(type) else {
                    throw Invalid("\(path).events[\(index)]", "must be an event type such as \"paid\"")
                }
                types.insert(type)
            }
            endpoint.events = types
        }
        if let v = try object.integer("timeout_ms", 10...600_000) { endpoint.timeoutMillis = UInt64(v) }
        if let v = try object.integer("concurrency", 1...1_024) { endpoint.concurrency = v }
        return endpoint
    }

    /// 1–64 bytes of `A–Z a–z 0–9 . _ -`.
    static func isValidName(_ text: String) -> Bool {
        let bytes = text.utf8
        guard !bytes.isEmpty, bytes.count <= 64 else { return false }
        return bytes.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                return true
            default:
                return false
            }
        }
    }
}

/// A JSON object of the configuration with typed, path-naming reads.
private struct ConfigObject {
    let values: [String: Any]
    let path: String

    init(_ value: Any, path: String) throws(RelayConfiguration.Invalid) {
        guard let values = value as? [String: Any] else {
            throw RelayConfiguration.Invalid(path, "must be a JSON object")
        }
        self.values = values
        self.path = path
    }

    private func field(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    func allow(_ known: Set<String>) throws(RelayConfiguration.Invalid) {
        for key in values.keys.sorted() where !known.contains(key) {
            throw RelayConfiguration.Invalid(field(key), "unknown field")
        }
    }

    func string(_ name: String) throws(RelayConfiguration.Invalid) -> String? {
        guard let value = values[name] else { return nil }
        guard let text = value as? String, !text.isEmpty else { throw RelayConfiguration.Invalid(field(name), "must be a non-empty string") }
        return text
    }

    func integer(_ name: String, _ range: ClosedRange<Int>) throws(RelayConfiguration.Invalid) -> Int? {
        guard let value = values[name] else { return nil }
        return try Self.integer(value, path: field(name), range)
    }

    static func integer(_ value: Any, path: String, _ range: ClosedRange<Int>) throws(RelayConfiguration.Invalid) -> Int {
        guard let number = value as? NSNumber, String(describing: type(of: value)) != "__NSCFBoolean",
            let integer = Int(exactly: number.doubleValue), range.contains(integer)
        else {
            throw RelayConfiguration.Invalid(path, "must be an integer in \(range.lowerBound)...\(range.upperBound), got \(value)")
        }
        return integer
    }
}
