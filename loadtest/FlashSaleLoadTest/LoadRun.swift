import FlashSaleClient
import FlashSaleLoop
import Foundation

/// The result of one run.
public struct RunResult: Sendable {
    /// Throughput, latency, outcomes.
    public var summary: RunSummary
    /// What the oracle compares with Redis.
    public var evidence: DriverEvidence
    /// Requests never sent (the run hit its time limit, or no connection could be opened).
    public var notSent: Int
    /// Seconds spent minting JWTs before the run.
    public var mintSeconds: Double
}

/// Runs a scenario on a driver thread of its own and waits for it.
public enum LoadRun {
    /// Mints the buyers' tokens (when JWTs are used), runs the scenario and
    /// returns its figures. `progress` runs on the driver thread.
    public static func execute(
        _ configuration: DriverConfiguration, progress: (@Sendable (RunProgress) -> Void)? = nil
    ) -> RunResult {
        SignalWatcher.ignoreSIGPIPE()
        let mintStart = Date()
        var tokens: PackedStrings?
        if case .jwt(let secret) = configuration.auth {
            tokens = mintTokens(
                users: configuration.scenario.userCount, prefix: configuration.userPrefix, secret: secret,
                lifetimeSeconds: Int64(configuration.maxRunSeconds) + 3600)
        }
        let mintSeconds = Date().timeIntervalSince(mintStart)
        let holder = DriverHolder()
        let loop = EventLoop.startThread(name: "loadtest-driver")
        let mintedTokens = tokens
        loop.execute {
            let driver = LoadDriver(loop: loop, configuration: configuration, tokens: mintedTokens)
            holder.driver = driver
            driver.start(progress: progress.map { callback in { callback($0) } }) { summary, evidence, notSent in
                holder.result = RunResult(summary: summary, evidence: evidence, notSent: notSent, mintSeconds: mintSeconds)
                loop.stop()
            }
        }
        loop.join()
        let result = holder.result
        holder.driver = nil
        return result ?? RunResult(
            summary: RunStats(bucketNanos: 100_000_000, expectedNanos: 0).summary(durationNanos: 0),
            evidence: DriverEvidence(), notSent: configuration.scenario.userCount, mintSeconds: mintSeconds)
    }

    /// HS256 tokens for users `<prefix>0 …`, valid for `lifetimeSeconds`.
    static func mintTokens(users: Int, prefix: String, secret: String, lifetimeSeconds: Int64) -> PackedStrings {
        let minter = JWTMinter(secret: secret)
        let now = Int64(Date().timeIntervalSince1970)
        // HMAC signing dominates: sign in parallel chunks (one per core), pack in order.
        let chunks = max(1, min(ProcessInfo.processInfo.activeProcessorCount, users / 1000))
        let parts = TokenChunks(count: chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let lower = users * chunk / chunks
            let upper = users * (chunk + 1) / chunks
            var tokens: [String] = []
            tokens.reserveCapacity(upper - lower)
            for user in lower..<upper {
                tokens.append(minter.mint(subject: prefix + String(user), expiresAt: now + lifetimeSeconds, notBefore: now - 60, issuedAt: now))
            }
            parts.store(tokens, at: chunk)
        }
        var packed = PackedStrings()
        for chunk in parts.all() { for token in chunk { packed.append(token) } }
        return packed
    }
}

/// Per-chunk results of the parallel minting.
private final class TokenChunks: @unchecked Sendable {
    private let lock = NSLock()
    private var chunks: [[String]]

    init(count: Int) { chunks = Array(repeating: [], count: count) }

    func store(_ tokens: [String], at index: Int) {
        lock.lock()
        chunks[index] = tokens
        lock.unlock()
    }

    func all() -> [[String]] {
        lock.lock()
        defer { lock.unlock() }
        return chunks
    }
}

/// Keeps the driver alive while its loop runs; read after the loop thread ended.
private final class DriverHolder: @unchecked Sendable {
    var driver: LoadDriver?
    var result: RunResult?
}
