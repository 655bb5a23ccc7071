import FlashSaleRedis

/// The relay's state for one sale's `fs:{S}:events`: where reading stands and the
/// entries read and not yet finished. Loop thread only.
final class SaleStream {
    enum Phase {
        /// The group must be created (`XGROUP CREATE … 0 MKSTREAM`).
        case needsGroup
        /// Reading this consumer's own pending entries (after a restart) from the id.
        case ownPending(after: String)
        /// Reading new entries (`>`).
        case live
    }

    let sale: String
    let keys: FlashSaleKeys
    var phase = Phase.needsGroup
    /// A command for this stream is out (one read, create or claim at a time).
    var busy = false
    /// Read again at once (the last read was full).
    var more = true
    /// The `XAUTOCLAIM` cursor.
    var claimCursor = "0-0"
    /// Entry id → ((event, endpoint) jobs still to finish, entry time in ms).
    private(set) var outstanding: [String: (remaining: Int, millis: Int64)] = [:]
    /// Finished entries waiting for `XACK`.
    var acks: [String] = []

    init(sale: String) {
        self.sale = sale
        keys = FlashSaleKeys(sale: sale)
    }

    func isOutstanding(_ id: String) -> Bool { outstanding[id] != nil }

    /// Holds entry `id` until `jobs` (event, endpoint) deliveries have finished.
    func hold(_ id: String, jobs: Int, millis: Int64) {
        outstanding[id] = (jobs, millis)
    }

    /// One endpoint finished `id`; true when it was the last (the entry can be acknowledged).
    func finishOne(_ id: String) -> Bool {
        guard var entry = outstanding[id] else { return false }
        entry.remaining -= 1
        if entry.remaining > 0 {
            outstanding[id] = entry
            return false
        }
        outstanding.removeValue(forKey: id)
        acks.append(id)
        return true
    }

    /// Ids held (for the heartbeat that keeps them from being taken over).
    var heldIDs: Dictionary<String, (remaining: Int, millis: Int64)>.Keys { outstanding.keys }
    var heldCount: Int { outstanding.count }

    /// The entry time of the oldest entry held (nil: none).
    var oldestHeldMillis: Int64? { outstanding.values.lazy.map(\.millis).min() }
}
