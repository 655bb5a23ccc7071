/// Why a Redis command (or the connection) failed.
public enum RedisError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The client is not connected (connecting, down, or never started);
    /// the text is the last connection error, if any.
    case notConnected(String)
    /// Too many commands are in flight: rejected at once so the caller can shed load.
    case overloaded
    /// The command got no reply within the command timeout. The connection is
    /// then treated as dead (hiredis cannot cancel a command) and reconnected.
    case timeout
    /// The connection broke while the command was in flight; it may or may not
    /// have run in Redis.
    case connectionLost(String)
    /// Redis answered with an error reply (e.g. `ERR ...`, a script's `error_reply`).
    case server(String)
    /// The redis:// URL could not be parsed.
    case invalidURL(String)
    /// The client was closed.
    case closed

    public var description: String {
        switch self {
        case .notConnected(let why): return why.isEmpty ? "redis not connected" : "redis not connected: \(why)"
        case .overloaded: return "redis: too many commands in flight"
        case .timeout: return "redis: command timed out"
        case .connectionLost(let why): return "redis connection lost: \(why)"
        case .server(let message): return "redis error reply: \(message)"
        case .invalidURL(let why): return "invalid redis URL: \(why)"
        case .closed: return "redis client closed"
        }
    }

    /// Whether the command surely did not run in Redis (safe to retry blindly).
    public var commandSurelyNotRun: Bool {
        switch self {
        case .notConnected, .overloaded, .invalidURL, .closed: return true
        case .timeout, .connectionLost, .server: return false
        }
    }
}
