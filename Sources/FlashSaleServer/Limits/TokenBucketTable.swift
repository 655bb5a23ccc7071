/// How fast one key (a user or a client address) may send requests.
public struct RateLimitPolicy: Sendable, Equatable {
    /// Sustained requests per second; 0 turns the limiter off.
    public var perSecond: Int
    /// Requests a fresh key may send at once.
    public var burst: Int

    /// Creates a policy.
    public init(perSecond: Int, burst: Int) {
        self.perSecond = max(0, perSecond)
        self.burst = max(1, burst)
    }

    /// Whether the limiter does anything.
    public var isEnabled: Bool { perSecond > 0 }

    /// No limit.
    public static let off = RateLimitPolicy(perSecond: 0, burst: 1)
    /// Default per buyer: 5 requests/s, bursts of 10.
    public static let defaultPerUser = RateLimitPolicy(perSecond: 5, burst: 10)
    /// Default per client address: 500 requests/s, bursts of 1000.
    public static let defaultPerAddress = RateLimitPolicy(perSecond: 500, burst: 1000)

    /// Parses `RATE/BURST` (e.g. `5/10`), `RATE` (burst = 2 x rate) or `off`.
    public init?(parsing text: String) {
        if text == "off" || text == "0" {
            self = .off
            return
        }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let rate = Int(parts[0]), rate > 0, rate <= 1_000_000 else { return nil }
        if parts.count == 2 {
            guard let burst = Int(parts[1]), burst >= 1, burst <= 10_000_000 else { return nil }
            self.init(perSecond: rate, burst: burst)
        } else {
            self.init(perSecond: rate, burst: rate * 2)
        }
    }

    /// `RATE/BURST` or `off`.
    public var description: String { isEnabled ? "\(perSecond)/\(burst)" : "off" }
}

/// The answer of a rate limiter.
public enum RateDecision: Equatable, Sendable {
    /// Go ahead.
    case allowed
    /// Refuse with `429`; retry after this many whole seconds (at least 1).
    case limited(retryAfterSeconds: Int)
}

/// Token buckets for many keys in a fixed-size table: memory is bounded no
/// matter how many distinct users or addresses arrive.
///
/// One table per worker, touched only on that worker's loop thread (no locks).
/// The table is 8-way set-associative: a key lives in one set of 8 slots;
/// when the set is full the slot seen least recently is evicted. An evicted
/// key that comes back starts with a full bucket, so eviction can only ever
/// make the limiter more lenient, by at most one burst per eviction.
public final class TokenBucketTable {
    private static let ways = 8
    public let policy: RateLimitPolicy
    private let setMask: Int
    private let slots: Int
    // Fixed-size storage behind `let` pointers: a lookup does no exclusivity check, no
    // bounds check and no retain (arrays in class `var`s cost all three per access).
    private let keys: UnsafeMutablePointer<UInt64>
    // Tokens in thousandths, so refill is integer arithmetic: rate/s = rate milli-tokens/ms.
    private let milliTokens: UnsafeMutablePointer<Int64>
    private let lastSeen: UnsafeMutablePointer<UInt64>

    /// Creates a table with room for about `capacity` keys (rounded up to a power of two, at least 8).
    public init(policy: RateLimitPolicy, capacity: Int = 65_536) {
        self.policy = policy
        var slots = Self.ways
        while slots < capacity { slots <<= 1 }
        self.slots = slots
        setMask = slots / Self.ways - 1
        keys = .allocate(capacity: slots)
        keys.initialize(repeating: 0, count: slots)
        milliTokens = .allocate(capacity: slots)
        milliTokens.initialize(repeating: 0, count: slots)
        lastSeen = .allocate(capacity: slots)
        lastSeen.initialize(repeating: 0, count: slots)
    }

    deinit {
        keys.deallocate()
        milliTokens.deallocate()
        lastSeen.deallocate()
    }

    /// The number of slots (the most keys remembered at once).
    public var capacity: Int { slots }

    /// Takes one token for `key` at `nowMillis` (a monotonic clock), or says how long to wait.
    public func admit(key rawKey: UInt64, nowMillis: UInt64) -> RateDecision {
        guard policy.isEnabled else { return .allowed }
        let key = rawKey == 0 ? 1 : rawKey // 0 marks an empty slot
        let base = (Int(truncatingIfNeeded: Self.mix(key)) & setMask) &* Self.ways
        let full = Int64(policy.burst) * 1000
        var found = -1
        var empty = -1
        var stalest = base
        for index in base..<(base + Self.ways) {
            if keys[index] == key { found = index; break }
            if keys[index] == 0 {
                if empty < 0 { empty = index }
            } else if lastSeen[index] < lastSeen[stalest] {
                stalest = index
            }
        }
        let slot: Int
        if found >= 0 {
            slot = found
        } else {
            // A new key: an empty slot of its set if any, else evict the stalest; start full.
            slot = empty >= 0 ? empty : stalest
            keys[slot] = key
            milliTokens[slot] = full
            lastSeen[slot] = nowMillis
        }
        let elapsed = nowMillis > lastSeen[slot] ? nowMillis - lastSeen[slot] : 0
        lastSeen[slot] = max(lastSeen[slot], nowMillis)
        let refill = Int64(min(elapsed, 1 << 40)) * Int64(policy.perSecond)
        var tokens = min(full, milliTokens[slot] &+ refill)
        if tokens >= 1000 {
            tokens -= 1000
            milliTokens[slot] = tokens
            return .allowed
        }
        milliTokens[slot] = tokens
        // Milliseconds until one whole token: (1000 - tokens) / rate, rounded up to seconds.
        let waitMillis = (1000 - tokens + Int64(policy.perSecond) - 1) / Int64(policy.perSecond)
        return .limited(retryAfterSeconds: max(1, Int((waitMillis + 999) / 1000)))
    }

    /// Takes one token for the key named by `bytes` (a user id or an address).
    public func admit(bytes: UnsafeRawBufferPointer, nowMillis: UInt64) -> RateDecision {
        guard policy.isEnabled else { return .allowed }
        return admit(key: Self.hash(bytes), nowMillis: nowMillis)
    }

    /// Takes one token for the key named by `text`.
    public func admit(_ text: String, nowMillis: UInt64) -> RateDecision {
        guard policy.isEnabled else { return .allowed }
        var text = text
        return text.withUTF8 { admit(key: Self.hash(UnsafeRawBufferPointer($0)), nowMillis: nowMillis) }
    }

    /// FNV-1a over the bytes, then mixed: stable across runs (no per-process seed needed,
    /// keys are not attacker-chosen to collide in a way that matters: a collision only
    /// shares a bucket).
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var value: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            value ^= UInt64(byte)
            value &*= 0x0000_0100_0000_01B3
        }
        return value
    }

    @inline(__always)
    private static func mix(_ key: UInt64) -> UInt64 {
        // splitmix64 finaliser: spreads FNV's weak low bits over the set index.
        var z = key &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
