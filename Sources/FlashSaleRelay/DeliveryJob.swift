import FlashSaleServer

/// One event on its way to one endpoint: counts its own attempts (never Redis's
/// delivery count) and keeps the last failure for the dead letter.
final class DeliveryJob {
    let event: RelayEvent
    /// Attempts made so far.
    var attempts = 0
    /// The last answer's status (0: none, e.g. a timeout).
    var lastStatus = 0
    /// The last failure ("" after a success).
    var lastError = ""
    /// Whether the free resend after a stale keep-alive connection was used.
    var staleRetried = false
    /// When the next attempt is due (ms, loop clock) while waiting to retry.
    var dueAtMillis: UInt64 = 0
    /// The body, rendered once (the same bytes for every attempt).
    private(set) var body: [UInt8] = []

    init(event: RelayEvent) {
        self.event = event
    }

    /// Per-endpoint ordering key: events of one order go out one after another.
    var orderKey: OrderKey { OrderKey(sale: event.sale, order: event.order ?? "") }

    /// The body, rendering it on first use into `scratch`'s storage.
    func renderedBody(_ scratch: inout JSONBuffer) -> [UInt8] {
        if body.isEmpty {
            WebhookBody.render(event, into: &scratch)
            body = scratch.bytes
        }
        return body
    }
}

/// How one job ended at one endpoint.
enum DeliveryOutcome {
    /// A 2xx answer.
    case delivered
    /// Every attempt failed: goes to `fs:{S}:dead`.
    case dead
}

/// A sale and an order: the unit of per-endpoint ordering.
struct OrderKey: Hashable {
    let sale: String
    let order: String
}
