import FlashSaleHTTP

/// One input: one fresh in-memory connection per input, fed whole.
/// Checks that every answer is an HTTP/1.1 response with a 3-digit status,
/// and that a refusal (4xx/5xx from the parser) closes the connection.
// Also exported under libFuzzer's name: clang links libFuzzer whole, its own main included.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPRequest(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let connection = HTTPInMemoryConnection(router: fuzzRouter())
    connection.receive(UnsafeRawBufferPointer(start: data, count: size))
    let output = connection.output
    var start = 0
    // Walk the status lines: "HTTP/1.1 ddd " at each response start the
    // Content-Length framing leads to.
    while start < output.count {
        guard output.count - start >= 13, output[start + 8] == 0x20, output[start + 12] == 0x20,
              equalsASCII(output, at: start, "HTTP/1.1 ")
        else { fatalError("malformed response at \(start)") }
        guard let headEnd = find(output, "\r\n\r\n", from: start) else { fatalError("response head without its end") }
        if output[start + 9] == UInt8(ascii: "1") {  // 100 Continue: no body
            start = headEnd + 4
            continue
        }
        guard let length = contentLength(output, from: start, to: headEnd) else { fatalError("final response without Content-Length") }
        let next = headEnd + 4
        // A HEAD request's answer (a 404 or 405 here) has no body: the next
        // response or the end follows the head. No body can start so: none
        // of the routes' bodies contains a space there.
        if length > 0 && (next == output.count || equalsASCII(output, at: next, "HTTP/1.1 ")) {
            start = next
            continue
        }
        start = next + length
        guard start <= output.count else { fatalError("response body shorter than its Content-Length") }
    }
    return 0
}

/// Routes without GET: HEAD only ever gets a 404 or 405 (head without body).
func fuzzRouter() -> HTTPRouter {
    let router = HTTPRouter()
    router.post("/v1/sales/{sale}/purchases", requiresJSON: true) { request, responder in
        responder.respond(.created, contentType: .plainText) { body in
            body.append(bytes: request.parameter("sale")!.bytes)
            body.append(bytes: request.body.bytes)
            for index in 0..<request.headerCount { body.append(bytes: request.header(at: index).value.bytes) }
        }
    }
    router.put("/v1/sales/{sale}") { request, responder in
        responder.respond(.ok, contentType: .plainText, body: request.query.bytes)
    }
    router.post("/echo") { request, responder in
        responder.respond(.ok, contentType: .plainText, body: request.target.bytes)
    }
    return router
}

func equalsASCII(_ bytes: UnsafeRawBufferPointer, at offset: Int, _ text: StaticString) -> Bool {
    let count = text.utf8CodeUnitCount
    guard offset + count <= bytes.count else { return false }
    for i in 0..<count where bytes[offset + i] != text.utf8Start[i] { return false }
    return true
}

func find(_ bytes: UnsafeRawBufferPointer, _ text: StaticString, from: Int) -> Int? {
    var i = from
    while i + text.utf8CodeUnitCount <= bytes.count {
        if equalsASCII(bytes, at: i, text) { return i }
        i += 1
    }
    return nil
}

func contentLength(_ bytes: UnsafeRawBufferPointer, from: Int, to end: Int) -> Int? {
    guard let at = find(bytes, "\r\nContent-Length: ", from: from), at < end else { return nil }
    var i = at + 18
    var value = 0
    while i < end, bytes[i] >= 0x30, bytes[i] <= 0x39 {
        value = value * 10 + Int(bytes[i] - 0x30)
        i += 1
    }
    return value
}
