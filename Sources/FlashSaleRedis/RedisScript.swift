/// A Lua script the engine runs with `EVALSHA`.
///
/// The client loads each script once (`SCRIPT LOAD`) per connection, caches the
/// SHA1 Redis returns, and falls back to loading again on `NOSCRIPT`.
public struct RedisScript: Sendable, Hashable {
    /// A short name for logs and metrics, e.g. `"flush"`.
    public let name: String
    /// The Lua source.
    public let source: String
}
