import FlashSaleHTTP
import FlashSaleLoop

/// `GET /healthz` and `GET /metrics`.
extension WorkerAPI {
    func health(_ request: HTTPRequest, _ responder: HTTPResponder) {
        guard engine.health == .up else {
            return respond(APIError(.redisUnavailable, "Redis is unreachable from this node",
                                    retryAfterSeconds: settings.overloadRetryAfterSeconds),
                           responder)
        }
        json.reset()
        json.object { object in
            object.field("status", string: "ok")
            object.field("redis", string: "up")
            object.field("node", string: settings.nodeID)
        }
        respondJSON(200, responder)
    }

    func renderMetrics(_ request: HTTPRequest, _ responder: HTTPResponder) {
        // (The router's observer counts this scrape as it is answered: it shows in the next one.)
        let text = MetricsExposition.render(workers: allMetrics, extra: extraSamples())
        responder.respond(.ok, contentType: .prometheus, text: text)
    }
}
