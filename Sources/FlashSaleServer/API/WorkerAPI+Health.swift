import FlashSaleHTTP
import FlashSaleLoop

/// `GET /healthz` (liveness), `GET /readyz` (readiness) and `GET /metrics`.
extension WorkerAPI {
    /// Liveness: 200 while the process serves, whatever Redis does.
    func health(_ request: HTTPRequest, _ responder: HTTPResponder) {
        json.reset()
        json.object { object in
            object.field("status", string: "ok")
            object.field("node", string: settings.nodeID)
        }
        respondJSON(200, responder)
    }

    /// Readiness of the whole node: 200 when every worker has bootstrapped and its store
    /// is up, else 503 with each worker's state (docs/api.md, "Health").
    func ready(_ request: HTTPRequest, _ responder: HTTPResponder) {
        publishReadiness()
        let ready = readiness.isReady
        json.reset()
        json.object { object in
            object.field("status", string: ready ? "ready" : "not_ready")
            object.field("node", string: settings.nodeID)
            object.key("workers")
            object.array { workers in
                for worker in 0..<readiness.workerCount {
                    workers.object { entry in
                        entry.field("worker", integer: Int64(worker))
                        entry.field("state", string: readiness.state(of: worker).description)
                    }
                }
            }
        }
        if ready {
            respondJSON(200, responder)
        } else {
            let seconds = settings.overloadRetryAfterSeconds
            respondJSON(503, responder) { $0.add("Retry-After", decimal: seconds) }
        }
    }

    func renderMetrics(_ request: HTTPRequest, _ responder: HTTPResponder) {
        // (The router's observer counts this scrape as it is answered: it shows in the next one.)
        let text = MetricsExposition.render(workers: allMetrics, extra: extraSamples())
        responder.respond(.ok, contentType: .prometheus, text: text)
    }
}
