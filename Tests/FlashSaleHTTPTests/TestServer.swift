import FlashSaleHTTP
import FlashSaleLoop

/// A server on a free port with the routes the tests use.
///
/// - `GET /healthz` -> 200 `{"status":"ok"}`
/// - `GET /echo/{word}` -> 200, body = word
/// - `GET /delay/{ms}/{word}` -> 200 after `ms` (async, through a loop timer)
/// - `POST /v1/sales/{sale}/purchases` (JSON) -> 201, body `sale=<sale> body=<body>`
/// - `GET /big/{kib}` -> 200 with `kib` KiB of a..z
/// - `PUT /v1/sales/{sale}`, `GET /v1/sales/{sale}` -> 200
/// - `GET /client` -> 200, body = the request's client address
func makeTestServer(_ adjust: (inout HTTPServerConfiguration) -> Void = { _ in }) throws -> HTTPServer {
    var config = HTTPServerConfiguration()
    config.host = "127.0.0.1"
    config.port = 0
    config.workers = 2
    config.timerResolutionMillis = 50
    config.lingerTimeoutMillis = 500
    adjust(&config)
    let server = HTTPServer(configuration: config) { context in testRouter(loop: context.loop) }
    try server.start()
    return server
}

func testRouter(loop: EventLoop?) -> HTTPRouter {
    let router = HTTPRouter()
    router.get("/healthz") { _, responder in responder.respond(.ok, body: #"{"status":"ok"}"#) }
    router.get("/echo/{word}") { request, responder in
        responder.respond(.ok, contentType: .plainText, body: request.parameter("word")!.bytes)
    }
    router.get("/delay/{ms}/{word}") { request, responder in
        let ms = UInt64(request.parameter("ms")!.decimalValue ?? 0)
        let word = request.parameter(at: 1)!.string
        guard let loop else {
            responder.respond(.ok, contentType: .plainText, text: word)
            return
        }
        let timer = LoopTimer(loop: loop)
        timer.start(afterMillis: ms) {
            responder.respond(.ok, contentType: .plainText, text: word)
            timer.close()
        }
    }
    router.post("/v1/sales/{sale}/purchases", requiresJSON: true) { request, responder in
        responder.respond(.created, contentType: .plainText) { body in
            body.append("sale=")
            body.append(bytes: request.parameter("sale")!.bytes)
            body.append(" body=")
            body.append(bytes: request.body.bytes)
        }
    }
    router.get("/big/{kib}") { request, responder in
        let kib = request.parameter("kib")!.decimalValue ?? 0
        responder.respond(.ok, contentType: .plainText) { body in
            for i in 0..<(kib * 1024) { body.append(byte: UInt8(ascii: "a") + UInt8(i % 26)) }
        }
    }
    router.put("/v1/sales/{sale}", requiresJSON: true) { _, responder in responder.respond(.ok, body: "{}") }
    router.get("/v1/sales/{sale}") { _, responder in responder.respond(.ok, body: "{}") }
    router.get("/client") { request, responder in
        responder.respond(.ok, contentType: .plainText, text: request.clientAddress.description)
    }
    return router
}
