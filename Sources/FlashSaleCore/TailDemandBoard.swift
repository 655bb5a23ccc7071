import Synchronization

/// Where the workers of one process tell each other that they starve at the tail of a SKU
/// (thread-safe, shared through `ProcessCore.tailDemand`).
///
/// A worker whose slice cannot cover a purchase while the pool is empty but units are still
/// leased elsewhere parks the purchase and signals here; a sibling holding an idle slice of
/// that SKU sees the signal at its next housekeeping (`WorkerShard.returnTailSlices`) and
/// hands its remainder back to the pool, where the starving worker's next lease poll finds
/// it. Only the tail uses it: nothing here runs while the pool has stock.
public final class TailDemandBoard: Sendable {
    private let latest = Mutex<[SKUHandle: Int64]>([:])
    private let signals = Atomic<UInt64>(0)

    /// Creates an empty board.
    public init() {}

    /// Changes whenever a demand is signalled.
    public var version: UInt64 { signals.load(ordering: .acquiring) }

    /// Records that a worker starved for `handle` at `now` (Unix ms).
    public func signal(_ handle: SKUHandle, now: Int64) {
        latest.withLock { table in
            if let previous = table[handle], previous >= now { return }
            table[handle] = now
        }
        signals.wrappingAdd(1, ordering: .releasing)
    }

    /// The latest time a worker starved for `handle`, if ever.
    public func demandedAt(_ handle: SKUHandle) -> Int64? {
        latest.withLock { $0[handle] }
    }
}
