import FlashSaleLoop
import FlashSaleWorker

/// The Redis connection of one worker: one standalone Redis, or a Redis Cluster with one
/// ``RedisClient`` per master, behind one interface. Loop thread only, like its clients.
///
/// ``start()`` connects to the first seed that answers and asks `INFO cluster`:
/// `cluster_enabled:0` (or no answer to `INFO`) is standalone mode, where every call goes
/// straight to that one client; `cluster_enabled:1` is Cluster mode: `CLUSTER SLOTS` gives
/// the slot map and the router opens a client per master (each loads the scripts).
///
/// In Cluster mode each command goes to the master of its slot:
/// - ``send(_:completion:)`` routes by the command's first key (`arguments[1]`; for
///   `EVAL`/`EVALSHA`/`FCALL` the first key after `numkeys`); a command without a key
///   (`PING`, `INFO`, `TIME`, …) goes to any master. ``send(_:routingKey:completion:)``
///   and ``send(_:slot:completion:)`` name the key or slot.
/// - ``evalScript(_:keys:args:completion:)`` routes by `keys[0]`;
///   ``evalScript(_:numKeys:arguments:slot:completion:)`` by a slot the caller computed
///   once (``RedisSlot``), so a hot path hashes nothing.
/// - `MOVED` updates the map, asks for a refresh and resends to the named master; `ASK`
///   sends `ASKING` and the command back to back on the named node's connection; both at
///   most ``RedisRouterConfiguration/maxRedirects`` times per command.
/// - `TRYAGAIN`, `CLUSTERDOWN` and a master that is not connected retry after a doubling
///   delay, at most ``RedisRouterConfiguration/maxRetries`` times. A command that may
///   have run (timeout, connection lost while in flight) is never resent: it fails.
/// - The map is refreshed after a `MOVED`, when a master's connection goes down, and every
///   ``RedisRouterConfiguration/refreshIntervalMillis``.
///
/// Every completion runs exactly once, on the loop thread; a command rejected up front
/// (not up, too many in flight) completes inside the call. ``health`` is `up` only when
/// every slot has a master and every master's connection is up. ``inFlight`` counts the
/// commands not yet completed (retries waiting included), bounded by the connection
/// settings' `maxInFlight`.
public final class RedisRouter {
    /// How the router talks to Redis, known after the first seed answered.
    public enum Mode: Sendable, Equatable {
        /// Not known yet: no command is accepted.
        case detecting
        /// One Redis server, one client.
        case standalone
        /// A Redis Cluster: a client per master, routed by slot.
        case cluster
    }

    /// The loop it lives on.
    public let loop: EventLoop
    /// Its settings.
    public let configuration: RedisRouterConfiguration
    /// Standalone or Cluster, once detected.
    public internal(set) var mode: Mode = .detecting
    /// `up` when commands are accepted (Cluster: every slot mapped, every master connected).
    public internal(set) var health: StoreHealth = .down
    /// The last connection or topology error ("" if none yet); never holds a password.
    public internal(set) var lastError = ""
    /// Called on the loop thread whenever ``health`` changes.
    public var onHealthChange: ((StoreHealth, String) -> Void)?
    /// The health, readable from any thread.
    public let sharedHealth = RedisHealthCell()
    /// Redirects, retries and refreshes, for metrics and tests.
    public internal(set) var counters = RedisRouterCounters()

    // Loop thread only.
    var isClosing = false
    /// One client per seed tried so far (detection only).
    var seedClients: [RedisClient] = []
    /// The one client of standalone mode.
    var single: RedisClient?
    /// Cluster mode: the slot map and a client per master of it (same indexes).
    var map = ClusterSlotMap()
    var masterClients: [RedisClient] = []
    /// Cluster mode: every client opened, by "host:port" (masters, and nodes named by a redirect).
    var nodes: [String: RedisClient] = [:]
    var routedInFlight = 0
    var retries: [RoutedCommand] = []
    var refreshing = false
    var lastRefreshMillis: UInt64 = 0
    /// Set while ``apply(_:)`` opens clients: their health changes wait for the new map.
    var applyingMap = false
    var refreshAgain = false
    var extraScripts: [RedisScript] = []
    let retryTimer: LoopTimer
    let refreshTimer: LoopTimer
    let seedTimer: LoopTimer
    let refreshSoonTimer: LoopTimer

    /// A router on `loop` (call on the loop's thread); nothing happens until ``start()``.
    public init(loop: EventLoop, configuration: RedisRouterConfiguration) {
        self.loop = loop
        self.configuration = configuration
        retryTimer = LoopTimer(loop: loop)
        refreshTimer = LoopTimer(loop: loop)
        seedTimer = LoopTimer(loop: loop)
        refreshSoonTimer = LoopTimer(loop: loop)
        loop.onClose { [weak self] in self?.close() }
    }

    /// Starts connecting (each connection reconnects by itself until ``close()``).
    public func start() {
        guard !isClosing, seedClients.isEmpty, single == nil, masterClients.isEmpty else { return }
        setHealth(.connecting, lastError)
        startNextSeed()
    }

    /// Closes every connection for good; commands in flight complete with
    /// ``RedisError/closed``. Idempotent.
    public func close() {
        guard !isClosing else { return }
        isClosing = true
        setHealth(.closed, lastError)
        retryTimer.close()
        refreshTimer.close()
        seedTimer.close()
        refreshSoonTimer.close()
        let waiting = retries
        retries.removeAll()
        for routed in waiting { finish(routed, .failure(.closed)) }
        for client in seedClients { client.close() }
        single?.close()
        for client in nodes.values { client.close() }
        seedClients.removeAll()
        nodes.removeAll()
        masterClients.removeAll()
    }

    /// Commands submitted and not yet completed.
    public var inFlight: Int {
        mode == .standalone ? single?.inFlight ?? 0 : routedInFlight
    }

    /// Whether a command sent now would be accepted.
    public var canAcceptCommand: Bool {
        if mode == .standalone { return single?.canAcceptCommand ?? false }
        return health == .up && routedInFlight < configuration.connection.maxInFlight
    }

    /// The client of each master (Cluster) or the one client (standalone), for counters
    /// and tests.
    public var clients: [RedisClient] {
        mode == .standalone ? single.map { [$0] } ?? [] : masterClients
    }

    /// The current slot map (empty unless in Cluster mode).
    public var slotMap: ClusterSlotMap { map }

    func setHealth(_ newHealth: StoreHealth, _ error: String) {
        lastError = error
        if sharedHealth.update(&health, to: newHealth) { onHealthChange?(newHealth, error) }
    }

    /// A client for `endpoint` with the router's connection settings.
    func makeClient(_ endpoint: RedisEndpoint) -> RedisClient {
        var settings = configuration.connection
        settings.endpoint = endpoint
        let client = RedisClient(loop: loop, configuration: settings)
        for script in extraScripts { client.register(script) }
        return client
    }
}

/// Running totals of a ``RedisRouter``.
public struct RedisRouterCounters: Sendable, Equatable {
    /// `MOVED` answers followed.
    public var moved = 0
    /// `ASK` answers followed.
    public var asked = 0
    /// Commands resent after `TRYAGAIN`, `CLUSTERDOWN` or a master not connected.
    public var retries = 0
    /// Slot maps read (`CLUSTER SLOTS`).
    public var refreshes = 0
}
