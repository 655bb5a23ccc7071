import Dispatch
import Foundation
import FlashSaleLoop
import FlashSaleRedis
import FlashSaleWorker

/// A synchronous Redis session for tools (`flashsale top`, the load driver's oracle,
/// tests): runs the engine's async ``RedisClient`` on its own event loop thread and
/// waits for each answer (bounded by the client's command timeout). Not for the
/// server: it blocks the calling thread.
public final class BlockingRedisSession: @unchecked Sendable {
    private let loop: EventLoop
    // Touched only on `loop`'s thread.
    private var client: RedisClient?

    /// Connects to `url` and waits until the connection is up.
    public init(url: String, timeoutSeconds: Double = 3) throws(RedisError) {
        var configuration = try RedisClientConfiguration(url: url)
        configuration.connectTimeoutMillis = UInt64(timeoutSeconds * 1000)
        configuration.commandTimeoutMillis = UInt64(timeoutSeconds * 1000)
        loop = EventLoop.startThread(name: "flashsale-cli-redis")
        let ready = DispatchSemaphore(value: 0)
        let setup = configuration
        loop.execute { [self] in
            let client = RedisClient(loop: loop, configuration: setup)
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
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        loop.execute { [self] in
            guard let client else {
                box.result = .failure(.closed)
                done.signal()
                return
            }
            client.send(arguments) { result in
                box.result = result
                done.signal()
            }
        }
        done.wait()
        return try (box.result ?? .failure(.closed)).get()
    }

    /// Sends `commands` as pipelines of at most 4000 and waits for every reply, in
    /// order. An error reply comes back as `.error`; a lost connection or a timeout throws.
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

    /// Every key matching `pattern` (`SCAN … MATCH … COUNT 1000` to the end).
    public func scan(match pattern: String) throws(RedisError) -> [String] {
        var keys = Set<String>()
        var cursor = "0"
        repeat {
            let reply = try command(["SCAN", cursor, "MATCH", pattern, "COUNT", "1000"]).elements
            guard reply.count == 2, let next = reply[0].string else { break }
            for key in reply[1].elements { if let key = key.string { keys.insert(key) } }
            cursor = next
        } while cursor != "0"
        return keys.sorted()
    }

    /// Commands handed to the client per loop turn (below its in-flight bound).
    private static let chunk = 4000

    private func send(_ commands: [[String]]) throws(RedisError) -> [RedisValue] {
        let collector = ReplyCollector(count: commands.count)
        loop.execute { [self] in
            guard let client else { return collector.failAll(.closed) }
            for (index, command) in commands.enumerated() {
                client.send(command) { result in collector.store(result, at: index) }
            }
        }
        collector.done.wait()
        return try collector.values()
    }

    /// Runs `script` (EVALSHA with fallback) and waits for its answer.
    public func eval(_ script: RedisScript, keys: [String], args: [String]) throws(RedisError) -> RedisValue {
        let box = ResultBox()
        let done = DispatchSemaphore(value: 0)
        loop.execute { [self] in
            guard let client else {
                box.result = .failure(.closed)
                done.signal()
                return
            }
            client.evalScript(script, keys: keys, args: args) { result in
                box.result = result
                done.signal()
            }
        }
        done.wait()
        return try (box.result ?? .failure(.closed)).get()
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

    private func runOnLoop<T>(_ body: @escaping @Sendable (RedisClient) -> T) -> T {
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

/// Hands a result from the loop thread to the waiting thread (the semaphore orders the accesses).
private final class ResultBox: @unchecked Sendable {
    var result: Result<RedisValue, RedisError>?
}

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
