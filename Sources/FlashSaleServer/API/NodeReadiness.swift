import FlashSaleWorker
import Synchronization

/// Whether a node serves purchases, one answer per node whichever worker is asked
/// (`GET /readyz`): each worker publishes its own state into its slot (lock-free), every
/// worker reads them all.
public final class NodeReadiness: Sendable {
    /// One worker's readiness.
    public enum State: UInt8, Sendable, CustomStringConvertible {
        /// Store up, node bootstrapped: purchases are served.
        case ready = 0
        /// The store is up but the node has not loaded its sales and reclaimed its leases yet.
        case bootstrapPending = 1
        /// The worker's store is not connected (connecting, down or closed).
        case redisUnreachable = 2
        /// Graceful shutdown has begun.
        case shuttingDown = 3

        /// The name in `/readyz` answers.
        public var description: String {
            switch self {
            case .ready: return "ready"
            case .bootstrapPending: return "bootstrap_pending"
            case .redisUnreachable: return "redis_unreachable"
            case .shuttingDown: return "shutting_down"
            }
        }
    }

    private final class Slot: Sendable {
        let state = Atomic<UInt8>(State.redisUnreachable.rawValue)
    }

    private let slots: [Slot]

    /// A node of `workers` workers, none ready yet.
    public init(workers: Int) {
        slots = (0..<max(1, workers)).map { _ in Slot() }
    }

    /// The number of workers.
    public var workerCount: Int { slots.count }

    /// Worker `worker`'s state (any thread).
    public func state(of worker: Int) -> State {
        State(rawValue: slots[worker].state.load(ordering: .acquiring)) ?? .redisUnreachable
    }

    /// Whether every worker is ready.
    public var isReady: Bool {
        slots.allSatisfy { $0.state.load(ordering: .acquiring) == State.ready.rawValue }
    }

    /// Publishes worker `worker`'s state from its engine (on that worker's loop thread).
    public func update(worker: Int, from engine: WorkerEngine) {
        guard self.state(of: worker) != .shuttingDown else { return }
        let state: State
        if engine.health != .up {
            state = .redisUnreachable
        } else {
            state = engine.isReady ? .ready : .bootstrapPending
        }
        slots[worker].state.store(state.rawValue, ordering: .releasing)
    }

    /// Marks worker `worker` as shutting down, for good.
    public func shutDown(worker: Int) {
        slots[worker].state.store(State.shuttingDown.rawValue, ordering: .releasing)
    }
}
