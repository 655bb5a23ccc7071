import FlashSaleCore
import Synchronization

/// Per process: whether the bootstrap worker has loaded the sales from Redis and handed
/// the node's stale leases back. Other workers lease nothing before that.
final class NodeBootstrap: Sendable {
    private let done = Atomic<Bool>(false)

    var isDone: Bool { done.load(ordering: .acquiring) }
    func markDone() { done.store(true, ordering: .releasing) }

    private final class Entry {
        weak var core: ProcessCore?
        let bootstrap = NodeBootstrap()
        init(core: ProcessCore) { self.core = core }
    }

    private static let registry = Mutex<[ObjectIdentifier: Entry]>([:])

    /// The bootstrap state of the process that owns `core`. Entries of cores that are
    /// gone are dropped (an identifier may be reused by a new object).
    static func of(_ core: ProcessCore) -> NodeBootstrap {
        registry.withLock { map in
            let key = ObjectIdentifier(core)
            if let existing = map[key], existing.core === core { return existing.bootstrap }
            map = map.filter { $0.value.core != nil }
            let created = Entry(core: core)
            map[key] = created
            return created.bootstrap
        }
    }
}
