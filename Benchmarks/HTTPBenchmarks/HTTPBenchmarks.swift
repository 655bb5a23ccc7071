import Benchmark
import FlashSaleHTTP

/// Parse + route + respond without sockets, through the server's own
/// connection code (``HTTPInMemoryConnection``): a typical purchase request
/// and a 16-deep pipelined health check. Setup is outside the measurement;
/// the steady path should show 0 mallocs.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, .throughput],
        warmupIterations: 1000,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 1_000_000
    )

    Benchmark("purchase: parse + route + respond") { benchmark in
        let connection = HTTPInMemoryConnection(router: benchmarkRouter())
        let request = purchaseRequest()
        // Warm the connection's buffers outside the measurement.
        request.withUnsafeBytes { connection.receive($0) }
        precondition(connection.output.count > 0 && connection.output[9] == UInt8(ascii: "2"), "purchase was not answered 2xx")
        connection.clearOutput()
        benchmark.startMeasurement()
        request.withUnsafeBytes { bytes in
            for _ in benchmark.scaledIterations {
                connection.receive(bytes)
                blackHole(connection.output.count)
                connection.clearOutput()
            }
        }
        benchmark.stopMeasurement()
    }

    Benchmark("healthz x16 pipelined (per batch)") { benchmark in
        let connection = HTTPInMemoryConnection(router: benchmarkRouter())
        let batch = Array(String(repeating: "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n", count: 16).utf8)
        batch.withUnsafeBytes { connection.receive($0) }
        connection.clearOutput()
        benchmark.startMeasurement()
        batch.withUnsafeBytes { bytes in
            for _ in benchmark.scaledIterations {
                connection.receive(bytes)
                blackHole(connection.output.count)
                connection.clearOutput()
            }
        }
        benchmark.stopMeasurement()
    }
}

/// The routes of DESIGN.md "HTTP API", answering like the engine would.
func benchmarkRouter() -> HTTPRouter {
    let router = HTTPRouter()
    router.get("/healthz") { _, responder in responder.respond(.ok, body: #"{"status":"ok"}"#) }
    router.put("/v1/sales/{sale}", requiresJSON: true) { _, responder in responder.respond(.ok, body: "{}") }
    router.get("/v1/sales/{sale}") { _, responder in responder.respond(.ok, body: "{}") }
    router.post("/v1/sales/{sale}/purchases", requiresJSON: true) { request, responder in
        guard let sale = request.parameter(at: 0), request.header("Authorization") != nil else {
            responder.respondError(.unauthorized, code: "unauthorized", message: "missing token")
            return
        }
        let idempotencyKey = request.header("Idempotency-Key")
        let body = request.body
        responder.respond(.created) { out in
            out.append(#"{"order_id":"o-"#)
            out.append(decimal: body.count &+ (idempotencyKey?.count ?? 0))
            out.append(#"","status":"reserved","sale":""#)
            out.append(bytes: sale.bytes)
            out.append(#"","sku":"sku-1","qty":1,"expires_at":"2026-11-27T06:00:00Z"}"#)
        }
    }
    router.get("/v1/orders/{order}") { _, responder in responder.respond(.ok, body: "{}") }
    router.post("/v1/orders/{order}/cancel") { _, responder in responder.respond(.ok, body: "{}") }
    router.post("/v1/orders/{order}/pay") { _, responder in responder.respond(.ok, body: "{}") }
    router.get("/metrics") { _, responder in responder.respond(.ok, contentType: .prometheus, body: "") }
    return router
}

func purchaseRequest() -> [UInt8] {
    let body = #"{"sku":"sku-1","qty":1}"#
    let text = "POST /v1/sales/s1/purchases HTTP/1.1\r\n"
        + "Host: localhost:8080\r\n"
        + "User-Agent: flashsale-loadtest/1.0\r\n"
        + "Accept: application/json\r\n"
        + "Content-Type: application/json\r\n"
        + "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c2VyLTEyMyIsImV4cCI6MTk5OTk5OTk5OX0.c2lnbmF0dXJl\r\n"
        + "Idempotency-Key: 5f0c8a2e-7b1d-4c3e-9a6f-2d8e4b1c0a97\r\n"
        + "Content-Length: \(body.utf8.count)\r\n"
        + "\r\n" + body
    return Array(text.utf8)
}
