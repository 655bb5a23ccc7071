import FlashSaleHTTP
import FlashSaleLoop

/// `GET /healthz` and `GET /metrics`.
extension WorkerAPI {
    func health(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let started = EventLoop.monotonicNanos()
        guard engine.health == .up else {
            return respond(APIError(.redisUnavailable, "Redis is unreachable from this node",
                                    retryAfterSeconds: settings.overloadRetryAfterSeconds),
                           responder, route: .healthz, startedAt: started)
        }
        json.reset()
        json.object { object in
            object.field("status", string: "ok")
            object.field("redis", string: "up")
            object.field("node", string: settings.nodeID)
        }
        respondJSON(200, responder, route: .healthz, startedAt: started)
    }

    func renderMetrics(_ request: HTTPRequest, _ responder: HTTPResponder) {
        let started = EventLoop.monotonicNanos()
        // Count this scrape first so that it appears in its own output.
        metrics.countRequest(.metrics, status: 200)
        let text = MetricsExposition.render(workers: allMetrics, extra: extraSamples())
        responder.respond(.ok, contentType: .prometheus, text: text)
        metrics.observeLatency(.metrics, nanoseconds: EventLoop.monotonicNanos() &- started)
    }
}
