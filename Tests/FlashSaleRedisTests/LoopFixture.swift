import FlashSaleLoop
import FlashSaleRedis
import Foundation
import FlashSaleWorker

/// Wraps a non-Sendable value so a test can hand it to its loop thread.
/// Only touched on the loop (or after the loop stopped).
final class LoopOwned<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}

/// An EventLoop on its own thread, and a way to run code on it and wait.
final class LoopFixture: @unchecked Sendable {
    let loop = EventLoop.startThread(name: "test-loop")

    /// Runs `body` on the loop thread and returns its result.
    func sync<T>(_ body: @escaping () -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        let out = LoopOwned<T?>(nil)
        let work = LoopOwned(body)
        loop.execute {
            out.value = work.value()
            done.signal()
        }
        done.wait()
        return out.value!
    }

    /// Runs `start` on the loop thread and waits (at most `timeoutSeconds`) for the value it
    /// hands its completion; nil on timeout.
    func awaitValue<T>(timeoutSeconds: Double = 8, _ start: @escaping (@escaping (T) -> Void) -> Void) -> T? {
        let done = DispatchSemaphore(value: 0)
        let out = LoopOwned<T?>(nil)
        sync {
            start { value in
                out.value = value
                done.signal()
            }
        }
        guard done.wait(timeout: .now() + timeoutSeconds) == .success else { return nil }
        return sync { out.value }
    }

    /// Stops the loop and waits for its thread.
    func shutdown() {
        loop.stop()
        loop.join()
    }
}

/// Thread-safe record of command completions, keyed by a tag.
final class CompletionLog: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Int: [Result<RedisValue, RedisError>]] = [:]

    func record(_ tag: Int, _ result: Result<RedisValue, RedisError>) {
        lock.lock(); defer { lock.unlock() }
        results[tag, default: []].append(result)
    }

    var snapshot: [Int: [Result<RedisValue, RedisError>]] {
        lock.lock(); defer { lock.unlock() }
        return results
    }

    var count: Int { snapshot.values.reduce(0) { $0 + $1.count } }

    func results(for tag: Int) -> [Result<RedisValue, RedisError>] { snapshot[tag] ?? [] }
}

/// A RedisClient living on a LoopFixture.
final class ClientFixture: @unchecked Sendable {
    let fixture = LoopFixture()
    let client: LoopOwned<RedisClient?> = LoopOwned(nil)

    init(_ configuration: RedisClientConfiguration) {
        let box = client
        let loop = fixture.loop
        fixture.sync {
            let client = RedisClient(loop: loop, configuration: configuration)
            box.value = client
            client.start()
        }
    }

    /// Runs `body` with the client on its loop.
    func with<T>(_ body: @escaping (RedisClient) -> T) -> T {
        let box = client
        return fixture.sync { body(box.value!) }
    }

    var health: StoreHealth { client.value!.sharedHealth.value }
    var lastError: String { with { $0.lastError } }
    var counters: RedisClientCounters { with { $0.counters } }

    /// Sends a command, waits for its completion.
    func call(_ arguments: [String], timeoutSeconds: Double = 5) -> Result<RedisValue, RedisError>? {
        let box = client
        return fixture.awaitValue(timeoutSeconds: timeoutSeconds) { done in box.value!.send(arguments, completion: done) }
    }

    func close() {
        with { $0.close() }
        fixture.shutdown()
    }
}

func testConfiguration(port: Int, scripts: [RedisScript] = []) -> RedisClientConfiguration {
    var configuration = RedisClientConfiguration(endpoint: RedisEndpoint(host: "127.0.0.1", port: port), scripts: scripts)
    configuration.connectTimeoutMillis = 400
    configuration.commandTimeoutMillis = 500
    configuration.reconnectBaseMillis = 20
    configuration.reconnectMaxMillis = 200
    return configuration
}
