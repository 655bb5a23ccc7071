/// The API's policy knobs, shared read-only by every worker.
public struct APISettings: Sendable {
    /// Secret for buyer JWTs (HS256).
    public var jwtSecret: String
    /// Bearer token of the admin.
    public var adminToken: String
    /// Bearer token of the payment service.
    public var paymentToken: String
    /// Bearer token of the fulfilment service (`POST /v1/orders/{order}/fulfil`).
    public var fulfilmentToken: String
    /// Take the user id from `X-User-Id` when present (behind an authenticating gateway).
    public var trustUserHeader: Bool
    /// Seconds of clock skew tolerated on `exp`/`nbf`.
    public var jwtLeewaySeconds: Int64
    /// Per-user token bucket (purchases, order reads, cancels).
    public var userRateLimit: RateLimitPolicy
    /// Per-client-address token bucket (every route but /healthz, /readyz and /metrics), keyed on `HTTPRequest.clientAddress`.
    public var addressRateLimit: RateLimitPolicy
    /// Keys remembered by each worker's rate-limit tables.
    public var rateLimitTableSize: Int
    /// This node's id (`fs:node:{id}`, leases, audit entries).
    public var nodeID: String
    /// `Retry-After` seconds sent with `503 overloaded` / `redis_unavailable`.
    public var overloadRetryAfterSeconds: Int

    /// Creates settings; defaults are the documented ones.
    public init(
        jwtSecret: String, adminToken: String, paymentToken: String, fulfilmentToken: String, trustUserHeader: Bool = false,
        jwtLeewaySeconds: Int64 = 0, userRateLimit: RateLimitPolicy = .defaultPerUser,
        addressRateLimit: RateLimitPolicy = .defaultPerAddress, rateLimitTableSize: Int = 65_536,
        nodeID: String, overloadRetryAfterSeconds: Int = 1
    ) {
        self.jwtSecret = jwtSecret
        self.adminToken = adminToken
        self.paymentToken = paymentToken
        self.fulfilmentToken = fulfilmentToken
        self.trustUserHeader = trustUserHeader
        self.jwtLeewaySeconds = jwtLeewaySeconds
        self.userRateLimit = userRateLimit
        self.addressRateLimit = addressRateLimit
        self.rateLimitTableSize = rateLimitTableSize
        self.nodeID = nodeID
        self.overloadRetryAfterSeconds = overloadRetryAfterSeconds
    }
}
