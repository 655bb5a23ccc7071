/// The Lua scripts of the Redis schema (`docs/redis-schema.md`), each small and atomic.
///
/// Each script has a call builder (`…Call(…)` → `FlashSaleScriptCall`) and a typed
/// result (`….parse(_:)`), so the engine never handles raw Lua conventions.
/// No script reads the clock, `now` (Unix ms) is an argument, except the lease liveness
/// scripts (`lease`, `holderBeat`, `reap`), which take the time of a beat from Redis
/// `TIME` so that no node's clock decides whether another node is alive.
public enum FlashSaleScripts {
    /// Every script, for `SCRIPT LOAD` on connect.
    public static let all: [RedisScript] = [
        saleUpsert, stockChange, lease, leaseReturn, flush, pay, cancel, fulfil, expirySweep, reclaim, audit, holderBeat, reap,
    ]

    /// Default cap of `fs:{S}:events` (`XADD … MAXLEN ~ cap`).
    public static let defaultEventsMaxLength = 1_000_000
}

extension RedisValue {
    /// Throws for an error reply, so parsers can pattern-match the rest.
    func checkedScriptReply(_ script: RedisScript) throws -> RedisValue {
        if case .error(let message) = self {
            throw FlashSaleScriptError.redisError(script: script.name, message: message)
        }
        return self
    }
}
