import FlashSaleHTTP
import FlashSaleLoop

/// Answers, with the request counted by route and status and its latency observed.
extension WorkerAPI {
    /// The `HTTPStatus` for a numeric code the API uses.
    static func httpStatus(_ code: Int) -> HTTPStatus {
        switch code {
        case 200: return .ok
        case 201: return .created
        case 400: return .badRequest
        case 401: return .unauthorized
        case 404: return .notFound
        case 405: return .methodNotAllowed
        case 408: return .requestTimeout
        case 409: return .conflict
        case 413: return .contentTooLarge
        case 415: return .unsupportedMediaType
        case 422: return .unprocessableContent
        case 429: return .tooManyRequests
        case 431: return .headerFieldsTooLarge
        case 503: return .serviceUnavailable
        default: return .internalServerError
        }
    }

    /// Sends the JSON error object (with `Retry-After` when set).
    func respond(_ error: APIError, _ responder: HTTPResponder, route: MetricRoute, startedAt: UInt64) {
        json.reset()
        error.write(into: &json)
        let retryAfter = error.retryAfterSeconds
        json.bytes.withUnsafeBytes { body in
            responder.respond(error.code.status, contentType: .json, body: body) { headers in
                if let retryAfter { headers.add("Retry-After", decimal: retryAfter) }
            }
        }
        finish(route: route, status: error.status, startedAt: startedAt)
    }

    /// Sends `json`'s bytes (written by the caller) with `status`.
    func respondJSON(_ status: Int, _ responder: HTTPResponder, route: MetricRoute, startedAt: UInt64,
                     headers: (inout HTTPHeaderWriter) -> Void = { _ in }) {
        json.bytes.withUnsafeBytes { body in
            responder.respond(Self.httpStatus(status), contentType: .json, body: body, headers: headers)
        }
        finish(route: route, status: status, startedAt: startedAt)
    }

    /// Counts the answer and observes its latency.
    @inline(__always)
    func finish(route: MetricRoute, status: Int, startedAt: UInt64) {
        metrics.countRequest(route, status: status)
        metrics.observeLatency(route, nanoseconds: EventLoop.monotonicNanos() &- startedAt)
    }
}
