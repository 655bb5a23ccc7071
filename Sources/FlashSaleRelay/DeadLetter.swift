/// The layout of one `fs:{S}:dead` entry (`docs/integration.md`, "Dead letters"):
/// `endpoint`, `status` (last HTTP status, 0 if none), `error`, `attempts`, `entry`
/// (the events entry id), `webhook_id`, `dead_at` (ms), then every field of the
/// original entry prefixed with `event.`.
enum DeadLetter {
    static let eventPrefix = "event."

    /// The field/value arguments of the `XADD` for `job`, which failed at `endpoint`.
    static func fields(_ job: DeliveryJob, endpoint: String, nowMillis: Int64) -> [String] {
        var out = [
            "endpoint", endpoint, "status", String(job.lastStatus), "error", job.lastError,
            "attempts", String(job.attempts), "entry", job.event.entryID, "webhook_id", job.event.webhookID,
            "dead_at", String(nowMillis),
        ]
        for (name, value) in job.event.rawFields {
            out.append(eventPrefix + name)
            out.append(value)
        }
        return out
    }

    /// The fields of the events entry that redelivers dead letter `fields`: the original
    /// event, its `webhook_id` and the one endpoint it is for (`relay_endpoint`).
    /// nil when `fields` is not a dead letter.
    static func redelivery(_ fields: [(String, String)]) -> [String]? {
        var event: [String] = []
        var endpoint: String?
        var webhookID: String?
        for (name, value) in fields {
            if name.hasPrefix(eventPrefix) {
                event.append(String(name.dropFirst(eventPrefix.count)))
                event.append(value)
            } else if name == "endpoint" {
                endpoint = value
            } else if name == "webhook_id" {
                webhookID = value
            }
        }
        guard let endpoint, let webhookID, !event.isEmpty else { return nil }
        return event + ["webhook_id", webhookID, "relay_endpoint", endpoint]
    }
}
