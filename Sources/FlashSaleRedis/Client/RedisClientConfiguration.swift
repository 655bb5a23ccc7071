/// Settings of a ``RedisClient``. Defaults suit a flash-sale worker on a LAN.
public struct RedisClientConfiguration: Sendable {
    /// Where Redis is.
    public var endpoint: RedisEndpoint
    /// Time allowed for TCP connect plus the handshake (AUTH, SELECT, SCRIPT LOAD). Default 1000 ms.
    public var connectTimeoutMillis: UInt64 = 1000
    /// Time allowed for any one command's reply. When it passes, the command
    /// fails with ``RedisError/timeout`` and the connection is dropped and
    /// re-established (hiredis cannot cancel a command). Default 2000 ms.
    public var commandTimeoutMillis: UInt64 = 2000
    /// First reconnect delay; doubles per failed attempt up to ``reconnectMaxMillis``,
    /// each delay scaled by a random factor in [0.5, 1] (jitter). Default 50 ms.
    public var reconnectBaseMillis: UInt64 = 50
    /// Largest reconnect delay. Default 2000 ms.
    public var reconnectMaxMillis: UInt64 = 2000
    /// Commands in flight (sent, not yet answered) beyond which new commands
    /// are rejected with ``RedisError/overloaded``. Default 10 000.
    public var maxInFlight: Int = 10_000
    /// Scripts loaded with `SCRIPT LOAD` on every (re)connect, before the client is up.
    public var scripts: [RedisScript] = []

    /// Settings for `endpoint` with the defaults above.
    public init(endpoint: RedisEndpoint, scripts: [RedisScript] = []) {
        self.endpoint = endpoint
        self.scripts = scripts
    }

    /// Settings for a `redis://` URL; throws ``RedisError/invalidURL(_:)``.
    public init(url: String, scripts: [RedisScript] = []) throws(RedisError) {
        self.init(endpoint: try RedisEndpoint(url: url), scripts: scripts)
    }
}
