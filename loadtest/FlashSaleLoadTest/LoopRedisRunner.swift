import FlashSaleLoop
import FlashSaleRedis
import Foundation

/// A ``RedisCommandRunner`` over FlashSaleRedis' `RedisClient`, on an event
/// loop thread of its own.
public final class LoopRedisRunner: RedisCommandRunner, @unchecked Sendable {
    private let loop: EventLoop
    /// Touched only on `loop`'s thread.
    private var client: RedisClient?
    private let timeoutSeconds: Double
    /// Commands handed to the client per loop turn (below its in-flight bound).
    private static let chunk = 4000

    /// Connects to `url` (`redis://host:port[/db]`), waiting up to `timeoutSeconds`.
    public init(url: String, timeoutSeconds: Double = 10) throws {
        var configuration: RedisClientConfiguration
        do {
            configuration = try RedisClientConfiguration(url: url)
        } catch {
            throw OracleError.redis("\(error)")
        }
        configuration.commandTimeoutMillis = UInt64(timeoutSeconds * 1000)
        let tuned = configuration
        self.timeoutSeconds = timeoutSeconds
        loop = EventLoop.startThread(name: "oracle-redis")
        let up = DispatchSemaphore(value: 0)
        let lastError = LockedText()
        loop.execute { [self] in
            let client = RedisClient(loop: loop, configuration: tuned)
            self.client = client
            client.onHealthChange = { health, error in
                lastError.set(error)
                if health == .up { up.signal() }
            }
            client.start()
        }
        if up.wait(timeout: .now() + timeoutSeconds) == .timedOut {
            close()
            throw OracleError.redis("cannot connect to \(url): \(lastError.get())")
        }
        loop.execute { [self] in client?.onHealthChange = nil }
    }

    /// Closes the connection and stops the loop thread.
    public func close() {
        loop.execute { [self] in
            client?.close()
            client = nil
            loop.stop()
        }
        loop.join()
    }

    public func pipeline(_ commands: [[String]]) throws -> [RedisValue] {
        var replies: [RedisValue] = []
        replies.reserveCapacity(commands.count)
        var start = 0
        while start < commands.count {
            let end = min(start + LoopRedisRunner.chunk, commands.count)
            replies += try send(Array(commands[start..<end]))
            start = end
        }
        return replies
    }

    private func send(_ commands: [[String]]) throws -> [RedisValue] {
        let collector = ReplyCollector(count: commands.count)
        loop.execute { [self] in
            guard let client else {
                collector.failAll(.closed)
                return
            }
            for (index, command) in commands.enumerated() {
                client.send(command) { result in collector.store(result, at: index) }
            }
        }
        if collector.done.wait(timeout: .now() + timeoutSeconds + 5) == .timedOut {
            throw OracleError.redis("no reply within \(timeoutSeconds) s")
        }
        return try collector.values()
    }
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

    func values() throws -> [RedisValue] {
        lock.lock()
        defer { lock.unlock() }
        return try results.map { result -> RedisValue in
            switch result {
            case .success(let value): return value
            case .failure(.server(let message)): return .error(message)
            case .failure(let error): throw OracleError.redis("\(error)")
            case .none: throw OracleError.redis("missing reply")
            }
        }
    }
}

/// A string shared between the loop thread and the caller.
private final class LockedText: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""
    func set(_ value: String) { lock.lock(); text = value; lock.unlock() }
    func get() -> String { lock.lock(); defer { lock.unlock() }; return text }
}
