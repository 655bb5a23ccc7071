/// What one request of a scenario does.
public enum RequestKind: Int, CaseIterable, Sendable, Codable {
    /// `POST /v1/sales/{sale}/purchases`.
    case purchase
    /// `POST /v1/orders/{order}/pay` (payment service).
    case pay
    /// `POST /v1/orders/{order}/cancel` (the buyer).
    case cancel
    /// A plain `GET` of a fixed path (the `http-bench` mode, no application).
    case get

    /// A short name for reports.
    public var name: String {
        switch self {
        case .purchase: return "purchase"
        case .pay: return "pay"
        case .cancel: return "cancel"
        case .get: return "get"
        }
    }
}

/// How the driver classifies an answer, for the oracle.
public enum OutcomeClass: Int, CaseIterable, Sendable, Codable {
    /// A 2xx answer: the engine did it.
    case ok
    /// A definite refusal (4xx, or 503 `overloaded`): the engine did not do it.
    case rejected
    /// No definite answer (timeout, reset, refused connection, malformed
    /// response, other 5xx): it may or may not have happened.
    case unknown

    /// A short name for reports.
    public var name: String {
        switch self {
        case .ok: return "ok"
        case .rejected: return "rejected"
        case .unknown: return "unknown"
        }
    }

    /// Classifies a status code and error code.
    static func classify(status: Int, code: ErrorCode) -> OutcomeClass {
        if status >= 200 && status < 300 { return .ok }
        if status >= 400 && status < 500 { return .rejected }
        if status == 503 && code == .api(.overloaded) { return .rejected }
        return .unknown
    }
}

/// Why a request got no answer.
public enum UnknownReason: Int, CaseIterable, Sendable, Codable {
    /// No answer within the request timeout.
    case timeout
    /// The connection failed, was refused, reset or closed with the request in flight.
    case connection
    /// The answer could not be parsed.
    case malformed
    /// An answer with a status that does not say whether it happened (5xx other than 503 overloaded).
    case serverError

    /// A short name for reports.
    public var name: String {
        switch self {
        case .timeout: return "timeout"
        case .connection: return "connection"
        case .malformed: return "malformed"
        case .serverError: return "server_error"
        }
    }
}
