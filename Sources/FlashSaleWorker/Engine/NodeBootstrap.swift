import Synchronization

/// Per node (process): whether the bootstrap worker has loaded the sales from the store
/// and handed the node's stale leases back. Other workers lease nothing before that.
/// The node creates one and gives it to each of its workers' engines.
public final class NodeBootstrap: Sendable {
    private let done = Atomic<Bool>(false)

    /// Creates a node's bootstrap state (not done).
    public init() {}

    /// True once the bootstrap worker finished.
    public var isDone: Bool { done.load(ordering: .acquiring) }

    func markDone() { done.store(true, ordering: .releasing) }
}
