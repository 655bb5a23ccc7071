/// Settings of one ``HTTPServer``. Every field has a documented default
/// (docs/http.md lists them with the status each limit produces).
public struct HTTPServerConfiguration: Sendable {
    /// Address to bind (numeric IPv4/IPv6 or "localhost"). Default "127.0.0.1".
    public var host = "127.0.0.1"
    /// Port to bind; 0 picks a free one (see ``HTTPServer/port``). Default 8080.
    public var port = 8080
    /// Worker threads, each with its own event loop, all accepting on the
    /// port (SO_REUSEPORT). Default 1.
    public var workers = 1
    /// Listen backlog. Default 4096.
    public var backlog: Int32 = 4096
    /// Open connections across all workers; beyond it new connections get a
    /// 503 and are closed. Default 10 000.
    public var maxConnections = 10_000

    /// Longest request target (URL) in bytes -> 414. Default 8 KiB.
    public var maxRequestLineBytes = 8 * 1024
    /// Largest header block (names + values + separators) -> 431. Default 16 KiB.
    public var maxHeaderBytes = 16 * 1024
    /// Most header fields in one request -> 431. Default 100.
    public var maxHeaderCount = 100
    /// Largest request body; a larger `Content-Length` gets 413 before the
    /// body is read, a chunked body is cut off at the limit. Default 64 KiB.
    public var maxBodyBytes = 64 * 1024

    /// Time from the first byte of a request (or from accept) to the end of
    /// its headers; then 408 and close. Default 10 s.
    public var headerTimeoutMillis: UInt64 = 10_000
    /// Time from the end of the headers to the end of the body; then 408 and
    /// close. Default 10 s.
    public var bodyTimeoutMillis: UInt64 = 10_000
    /// Idle keep-alive connection (no request in progress, nothing to send)
    /// is closed after this. Default 60 s.
    public var keepAliveTimeoutMillis: UInt64 = 60_000
    /// A response write the client does not take within this closes the
    /// connection. Default 30 s.
    public var sendTimeoutMillis: UInt64 = 30_000
    /// After the last response on a closing connection (errors, `Connection:
    /// close`), unread input is drained this long before the socket closes, so
    /// the client receives the response instead of a reset. Default 2 s.
    public var lingerTimeoutMillis: UInt64 = 2_000
    /// Graceful shutdown: in-flight requests get this long, then every
    /// connection is closed. Default 10 s.
    public var shutdownGraceMillis: UInt64 = 10_000
    /// How often deadlines are checked (timeouts fire up to this late).
    /// Default 250 ms.
    public var timerResolutionMillis: UInt64 = 250

    /// Requests parsed on one connection and not yet answered before reading
    /// pauses (pipelining bound). Default 256.
    public var maxPendingResponses = 256
    /// Response bytes queued on one connection before reading pauses. Default 1 MiB.
    public var maxQueuedOutputBytes = 1 << 20
    /// `TCP_NODELAY` on accepted connections. Default true.
    public var tcpNoDelay = true

    /// Peers whose forwarding information is believed: their PROXY protocol header, and
    /// `X-Forwarded-For` / `Forwarded` on their requests (``HTTPRequest/clientAddress``).
    /// Default none.
    public var trustedProxies = TrustedProxies()
    /// Every connection must begin with a PROXY protocol v1 or v2 header, and only peers
    /// in ``trustedProxies`` may connect (others are closed at accept; with no trusted
    /// proxy, everyone). A connection without a valid header is closed, nothing written.
    /// Default false.
    public var proxyProtocol = false

    /// The defaults above.
    public init() {}
}
