import FlashSaleWorker
import CHiredis
import FlashSaleLoop
import Synchronization

/// An asynchronous Redis client on one ``EventLoop`` (hiredis 0.14 + our libuv adapter).
///
/// Create, use and close it on the loop's thread only. It connects with a
/// timeout, reconnects by itself with exponential backoff and jitter, times
/// commands out, bounds the commands in flight, loads scripts once per
/// connection and runs them with `EVALSHA` (falling back to `EVAL` on
/// `NOSCRIPT`).
///
/// Every command's completion runs exactly once, on the loop thread: with the
/// reply, or with an error (timeout, connection lost, closed). A command that
/// is rejected up front (not connected, too many in flight) completes
/// synchronously, inside the call that submitted it.
///
/// Close the client (``close()``) before stopping its loop.
public final class RedisClient {
    /// The loop this client lives on.
    public let loop: EventLoop
    /// Its settings.
    public let configuration: RedisClientConfiguration

    /// The connection state. Read ``sharedHealth`` from other threads.
    public internal(set) var health: StoreHealth = .down
    /// The last connection or timeout error, for logs and `/healthz` ("" if none yet).
    public internal(set) var lastError = ""
    /// Called on the loop thread whenever ``health`` changes, with the new state and ``lastError``.
    public var onHealthChange: ((StoreHealth, String) -> Void)?
    /// The health, readable from any thread.
    public let sharedHealth = RedisHealthCell()
    /// Counters, for metrics and tests.
    public internal(set) var counters = RedisClientCounters()

    /// Commands sent and not yet answered.
    public internal(set) var inFlight = 0

    // Connection state (loop thread only).
    var context: UnsafeMutablePointer<redisAsyncContext>?
    /// Whether hiredis reported the TCP connect of `context` (it then calls the
    /// disconnect callback when the context goes away).
    var tcpConnected = false
    /// Bumped per connection attempt; handshake replies of older ones are ignored.
    var generation: UInt64 = 0
    var handshakeRemaining = 0
    /// Failed attempts since the client was last up (drives the backoff).
    var failedAttempts = 0
    /// > 0 while a hiredis callback of ours runs: freeing the context is deferred then.
    var callbackDepth = 0
    var deferredTeardown: String?
    var isClosing = false
    var pending = FIFO<RedisCommandBox>()
    /// Script name -> (source, SHA1) learned from `SCRIPT LOAD` on this connection.
    var scriptSHAs: [String: (source: String, sha: String)] = [:]
    var extraScripts: [RedisScript] = []

    let connectTimer: LoopTimer
    let reconnectTimer: LoopTimer
    let watchdogTimer: LoopTimer
    let deferTimer: LoopTimer

    /// Creates a client on `loop` (call on the loop's thread). It does nothing
    /// until ``start()``.
    public init(loop: EventLoop, configuration: RedisClientConfiguration) {
        self.loop = loop
        self.configuration = configuration
        connectTimer = LoopTimer(loop: loop)
        reconnectTimer = LoopTimer(loop: loop)
        watchdogTimer = LoopTimer(loop: loop)
        deferTimer = LoopTimer(loop: loop)
        // A loop shutting down with the client still open closes it first, so the
        // adapter's poll handle is closed (and freed) by the adapter itself.
        loop.onClose { [weak self] in self?.close() }
    }

    /// Starts connecting (and keeps reconnecting until ``close()``).
    public func start() {
        guard !isClosing, context == nil, !reconnectTimer.isActive else { return }
        let interval = max(5, min(configuration.commandTimeoutMillis / 4, 250))
        watchdogTimer.start(afterMillis: interval, repeatMillis: interval) { [unowned self] in
            self.checkDeadlines()
        }
        connect()
    }

    /// Closes the connection for good: every command in flight completes with
    /// ``RedisError/closed`` and the timers are released. Idempotent.
    public func close() {
        guard !isClosing else { return }
        isClosing = true
        setHealth(.closed, lastError)
        reconnectTimer.stop()
        connectTimer.stop()
        watchdogTimer.stop()
        if context != nil {
            teardown(reason: "client closed")
            if deferredTeardown != nil { return }  // finishes in the deferred teardown
        }
        closeTimers()
    }

    func closeTimers() {
        connectTimer.close()
        reconnectTimer.close()
        watchdogTimer.close()
        deferTimer.close()
    }

    func setHealth(_ newHealth: StoreHealth, _ error: String) {
        lastError = error
        if sharedHealth.update(&health, to: newHealth) { onHealthChange?(newHealth, error) }
    }
}

/// The health of a ``RedisClient`` readable from any thread (an atomic).
public final class RedisHealthCell: Sendable {
    private let raw = Atomic<UInt8>(StoreHealth.down.rawValue)

    /// Creates a cell holding `.down`.
    public init() {}

    /// The current value.
    public var value: StoreHealth { StoreHealth(rawValue: raw.load(ordering: .relaxed)) ?? .down }

    func store(_ health: StoreHealth) { raw.store(health.rawValue, ordering: .relaxed) }

    /// Sets `health` (its owner's loop-thread copy) to `newHealth` and stores it here;
    /// true when it changed.
    func update(_ health: inout StoreHealth, to newHealth: StoreHealth) -> Bool {
        guard newHealth != health else { return false }
        health = newHealth
        store(newHealth)
        return true
    }
}

/// Running totals of a ``RedisClient``.
public struct RedisClientCounters: Sendable, Equatable {
    /// Commands handed to hiredis.
    public var commandsSent = 0
    /// Commands rejected because too many were in flight.
    public var rejectedOverloaded = 0
    /// Commands rejected because the client was not up.
    public var rejectedNotConnected = 0
    /// Commands failed by the command timeout.
    public var timeouts = 0
    /// Connection attempts (the first included).
    public var connectAttempts = 0
    /// Times the client became up.
    public var connectionsUp = 0
    /// `EVALSHA` calls answered `NOSCRIPT` and retried with `EVAL`.
    public var noscriptFallbacks = 0
}
