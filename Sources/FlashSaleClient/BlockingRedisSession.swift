import Dispatch
import Foundation
import FlashSaleLoop
import FlashSaleRedis
import FlashSaleWorker

/// A synchronous Redis session for tools (`flashsale top`, the load driver's oracle,
/// tests): runs the engine's async ``RedisRouter`` on its own event loop thread and
/// waits for each answer (bounded by the client's command timeout). Not for the
/// server: it blocks the calling thread.
///
/// Given a Redis Cluster's seed list (or any one node) it routes each command by its
/// key's slot and follows `MOVED` / `ASK`; ``commandOnEveryMaster(_:)`` and
/// ``scan(match:)`` cover every master.
public final class BlockingRedisSession: @unchecked Sendable {
    private let loop: EventLoop
    // Touched only on `loop`'s thread.
    private var client: RedisRouter?

    /// Connects to `url` (one URL, or a comma-separated seed list of a Redis Cluster) and
    /// waits until the connection is up (on a cluster: to every master).
    public init(url: String, timeoutSeconds: Double = 3) throws(RedisError) {
        var configuration = try RedisRouterConfiguration(urls: url)
        configuration.connection.connectTimeoutMillis = UInt64(timeoutSeconds * 1000)
        configuration.connection.commandTimeoutMillis = UInt64(timeoutSeconds * 1000)
        loop = EventLoop.startThread(name: "flashsale-cli-redis")
        let ready = DispatchSemaphore(value: 0)
        let setup = configuration
        loop.execute { [self] in
            let client = RedisRouter(loop: loop, configuration: setup)
            self.client = client
            client.onHealthChange = { health, _ in
                if health == .up || health == .down { ready.signal() }
            }
            client.start()
        }
        let waited = ready.wait(timeout: .now() + timeoutSeconds)
        let state = runOnLoop { client -> (StoreHealth, String) in
            client.onHealthChange = nil
            return (client.health, client.lastError)
        }
        guard waited == .success, state.0 == .up else {
            close()
            throw .notConnected(state.1.isEmpty ? "no answer from \(RedisEndpoint.redacted(url))" : state.1)
        }
    }

    deinit {
        close()
    }

    /// Sends one command and waits for its answer.
    public func command(_ arguments: [String]) throws(RedisError) -> RedisValue {
        try awaitReply { client, reply in client.send(arguments, completion: reply) }
    }

    /// Sends `commands` as pipelines of at most 4000 and waits for every reply, in
    /// order. An error reply comes back as `.error`; a lost connection or a timeout throws.
    /// On a cluster a `MULTI` … `EXEC` block goes whole to the master of its first key
    /// (keep a block within one slot and within one chunk).
    public func pipeline(_ commands: [[String]]) throws(RedisError) -> [RedisValue] {
        var replies: [RedisValue] = []
        replies.reserveCapacity(commands.count)
        var start = 0
        while start < commands.count {
            let end = min(start + Self.chunk, commands.count)
            replies += try send(Array(commands[start..<end]))
            start = end
        }
        return replies
    }

    /// Sends one command to every master (standalone: the one server) and waits for each
    /// answer, in master order; an error reply comes back as `.error`.
    public func commandOnEveryMaster(_ arguments: [String]) throws(RedisError) -> [RedisValue] {
        try commandOnEveryMaster { _ in arguments }
    }

    /// Every key matching `pattern` on every master (`SCAN … MATCH … COUNT 1000` to the end
    /// on each).
    public func scan(match pattern: String) throws(RedisError) -> [String] {
        try awaitCompletion(closed: .failure(.closed)) { client, done in
            client.scanEveryMaster(match: pattern, completion: done)
        }.get()
    }

    /// `command(index)` on the index-th master, for every master at once.
    private func commandOnEveryMaster(_ command: @escaping @Sendable (Int) -> [String]) throws(RedisError) -> [RedisValue] {
        let results = awaitCompletion(closed: [.failure(.closed)]) { client, done in
            client.sendToEveryMaster(command, completion: done)
        }
        var values: [RedisValue] = []
        for result in results {
            switch result {
            case .success(let value): values.append(value)
            case .failure(.server(let message)): values.append(.error(message))
            case .failure(let error): throw error
            }
        }
        return values
    }

    /// Commands handed to the client per loop turn (below its in-flight bound).
    private static let chunk = 4000

    private func send(_ commands: [[String]]) throws(RedisError) -> [RedisValue] {
        let collector = ReplyCollector(count: commands.count)
        loop.execute { [self] in
            guard let client else { return collector.failAll(.closed) }
            // A MULTI … EXEC block goes whole to the node of its first key.
            client.sendPipeline(commands) { results in
                for (index, result) in results.enumerated() { collector.store(result, at: index) }
            }
        }
        collector.done.wait()
        return try collector.values()
    }

    /// Runs `script` (EVALSHA with fallback) and waits for its answer.
    public func eval(_ script: RedisScript, keys: [String], args: [String]) throws(RedisError) -> RedisValue {
        try awaitReply { client, reply in client.evalScript(script, keys: keys, args: args, completion: reply) }
    }

    /// Has `start` send one request on the loop thread, and waits for its reply
    /// (`.closed` when the session is closed).
    private func awaitReply(
        _ start: @escaping @Sendable (RedisRouter, @escaping (Result<RedisValue, RedisError>) -> Void) -> Void
    ) throws(RedisError) -> RedisValue {
        try awaitCompletion(closed: .failure(.closed), start).get()
    }

    /// Has `start` begin an asynchronous call on the loop thread and waits until it hands
    /// its outcome to the completion (`closed` when the session is closed).
    private func awaitCompletion<T>(
        closed: T, _ start: @escaping @Sendable (RedisRouter, @escaping (T) -> Void) -> Void
    ) -> T {
        let box = ValueBox<T>()
        let done = DispatchSemaphore(value: 0)
        loop.execute { [self] in
            guard let client else {
                done.signal()
                return
            }
            start(client) { outcome in
                box.value = outcome
                done.signal()
            }
        }
        done.wait()
        return box.value ?? closed
    }

    /// Closes the connection and stops the loop thread. Idempotent.
    public func close() {
        guard !closed else { return }
        closed = true
        loop.execute { [self] in
            client?.close()
            client = nil
            loop.stop()
        }
        loop.join()
    }

    private var closed = false

    private func runOnLoop<T>(_ body: @escaping @Sendable (RedisRouter) -> T) -> T {
        let box = ValueBox<T>()
        let done = DispatchSemaphore(value: 0)
        loop.execute { [self] in
            if let client { box.value = body(client) }
            done.signal()
        }
        done.wait()
        guard let value = box.value else { preconditionFailure("Redis session used after close") }
        return value
    }
}

/// Hands a value from the loop thread to the waiting thread (the semaphore orders the accesses).
private final class ValueBox<T>: @unchecked Sendable {
    var value: T?
}

/// Replies of one pipeline, filled on the loop thread and read by the waiting caller.
private final class ReplyCollector: @unchecked Sendable {
    let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var results: [Result<RedisValue, RedisError>?]
    private var remaining: Int

    init(count: Int) {
        results = Array(repeating: nil, count: count)
        remaining = count
        if count == 0 { done.signal() }
    }

    func store(_ result: Result<RedisValue, RedisError>, at index: Int) {
        lock.lock()
        results[index] = result
        remaining -= 1
        let finished = remaining == 0
        lock.unlock()
        if finished { done.signal() }
    }

    func failAll(_ error: RedisError) {
        lock.lock()
        results = Array(repeating: .failure(error), count: results.count)
        remaining = 0
        lock.unlock()
        done.signal()
    }

    func values() throws(RedisError) -> [RedisValue] {
        lock.lock()
        defer { lock.unlock() }
        var values: [RedisValue] = []
        values.reserveCapacity(results.count)
        for result in results {
            switch result {
            case .success(let value): values.append(value)
            case .failure(.server(let message)): values.append(.error(message))
            case .failure(let error): throw error
            case .none: throw .connectionLost("missing reply")
            }
        }
        return values
    }
}

