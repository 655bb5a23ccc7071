/// How buyers prove who they are.
public enum BuyerAuth: Sendable, Equatable {
    /// `Authorization: Bearer <HS256 JWT>` minted with this secret (`FLASHSALE_JWT_SECRET`).
    case jwt(secret: String)
    /// `X-User-Id: <user>` (the engine runs with `--trust-user-header`).
    case userHeader
}

/// Everything a run needs to know.
public struct DriverConfiguration: Sendable {
    /// Engine address (numeric IPv4/IPv6 or `localhost`).
    public var host: String
    /// Engine port.
    public var port: Int
    /// The sale to buy from.
    public var sale: String
    /// The SKU to buy.
    public var sku: String
    /// Units per purchase.
    public var quantity: Int
    /// The load shape.
    public var scenario: Scenario
    /// Keep-alive connections (each carries one request at a time).
    public var connections: Int
    /// A request without an answer after this long counts as `unknown` (timeout).
    public var requestTimeoutSeconds: Double
    /// Buyer authentication.
    public var auth: BuyerAuth
    /// The payment service's bearer token (`FLASHSALE_PAYMENT_TOKEN`), for `lifecycle`.
    public var paymentToken: String
    /// User ids are this prefix plus the buyer's index.
    public var userPrefix: String
    /// Idempotency keys are `<keyPrefix>-<user index>-<ordinal>`.
    public var keyPrefix: String
    /// The run stops after this long even if requests remain (they count as not sent).
    public var maxRunSeconds: Double
    /// How often the progress callback runs (0: never).
    public var progressIntervalSeconds: Double

    /// A configuration with the usual defaults.
    public init(
        host: String, port: Int, sale: String, sku: String, scenario: Scenario,
        quantity: Int = 1, connections: Int = 256, requestTimeoutSeconds: Double = 10,
        auth: BuyerAuth = .userHeader, paymentToken: String = "", userPrefix: String = "u",
        keyPrefix: String = "k", maxRunSeconds: Double? = nil, progressIntervalSeconds: Double = 1
    ) {
        self.host = host
        self.port = port
        self.sale = sale
        self.sku = sku
        self.quantity = quantity
        self.scenario = scenario
        self.connections = connections
        self.requestTimeoutSeconds = requestTimeoutSeconds
        self.auth = auth
        self.paymentToken = paymentToken
        self.userPrefix = userPrefix
        self.keyPrefix = keyPrefix
        self.maxRunSeconds = maxRunSeconds ?? (scenario.arrivalSeconds + requestTimeoutSeconds * 3 + 60)
        self.progressIntervalSeconds = progressIntervalSeconds
    }
}

/// One live progress report.
public struct RunProgress: Sendable {
    /// Seconds since the run started.
    public var elapsedSeconds: Double
    /// Requests written so far.
    public var sent: Int
    /// Requests finished so far.
    public var completed: Int
    /// Answers per second over the last interval.
    public var requestsPerSecond: Double
    /// p99 latency (ms) over the last interval.
    public var p99Ms: Double
    /// Units the driver has seen sold (201s minus acknowledged cancels).
    public var unitsSold: Int
    /// Connections currently open.
    public var openConnections: Int
}
