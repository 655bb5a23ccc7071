/// One invocation of a FlashSale script: what the client sends as
/// `EVALSHA <sha1(script)> <keys.count> keys… arguments…`.
public struct FlashSaleScriptCall: Sendable, Equatable {
    /// The script to run.
    public let script: RedisScript
    /// `KEYS` (all carry the sale's hash tag).
    public let keys: [String]
    /// `ARGV`.
    public let arguments: [String]

    /// Creates a call.
    public init(script: RedisScript, keys: [String], arguments: [String]) {
        self.script = script
        self.keys = keys
        self.arguments = arguments
    }

    /// The full argument vector for `EVALSHA`, given the script's SHA1.
    public func evalshaCommand(sha1: String) -> [String] {
        ["EVALSHA", sha1, String(keys.count)] + keys + arguments
    }

    /// The full argument vector for `EVAL` (the `NOSCRIPT` fallback, and tests).
    public var evalCommand: [String] {
        ["EVAL", script.source, String(keys.count)] + keys + arguments
    }
}

/// A script reply that does not have the shape the script documents.
public enum FlashSaleScriptError: Error, Sendable, Equatable {
    /// Redis answered with an error (e.g. `NOSCRIPT`, `OOM`, a Lua runtime error).
    case redisError(script: String, message: String)
    /// The reply does not match the script's documented result.
    case unexpectedReply(script: String, reply: RedisValue)
}
