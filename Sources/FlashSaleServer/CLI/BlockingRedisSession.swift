import Dispatch
import FlashSaleLoop
import FlashSaleRedis
import FlashSaleWorker

/// A synchronous Redis session for command-line tools (`flashsale top`): runs
/// the engine's async ``RedisClient`` on its own event loop thread and waits
/// for each answer. Not for the server: it blocks the calling thread.
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
            throw .notConnected(state.1.isEmpty ? "no answer from \(url)" : state.1)
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
