import FlashSaleHTTP
import FuzzSupport

/// One input, differential: the first two bytes pick two cut points;
/// the rest is fed whole to one connection and in three pieces to another
/// (and one byte at a time to a third when at most 256 bytes). Same responses, same
/// verdict (closing or not), or the run stops with the difference.
// Also exported under libFuzzer's name: clang links libFuzzer whole, its own main included.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTPSplit(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let (input, cuts) = fuzzCuts(data, size) else { return 0 }
    let count = input.count

    let whole = HTTPInMemoryConnection(router: splitRouter())
    whole.receive(input)
    let expected = withoutDateLines(whole.output)

    let pieces = HTTPInMemoryConnection(router: splitRouter())
    for i in 0..<3 where cuts[i + 1] > cuts[i] {
        pieces.receive(UnsafeRawBufferPointer(rebasing: input[cuts[i]..<cuts[i + 1]]))
    }
    guard withoutDateLines(pieces.output) == expected, pieces.isClosing == whole.isClosing else {
        fatalError("cut at \(cuts[1]) and \(cuts[2]) of \(count) gives another answer")
    }

    if count <= 256 {
        let bytewise = HTTPInMemoryConnection(router: splitRouter())
        for i in 0..<count { bytewise.receive(UnsafeRawBufferPointer(rebasing: input[i..<(i + 1)])) }
        guard withoutDateLines(bytewise.output) == expected, bytewise.isClosing == whole.isClosing else {
            fatalError("one byte at a time gives another answer")
        }
    }
    return 0
}

func splitRouter() -> HTTPRouter {
    let router = HTTPRouter()
    router.get("/healthz") { _, responder in responder.respond(.ok, body: #"{"status":"ok"}"#) }
    router.post("/v1/sales/{sale}/purchases", requiresJSON: true) { request, responder in
        responder.respond(.created, contentType: .plainText) { body in
            body.append(bytes: request.parameter("sale")!.bytes)
            body.append(bytes: request.body.bytes)
            for index in 0..<request.headerCount {
                body.append(bytes: request.header(at: index).name.bytes)
                body.append(bytes: request.header(at: index).value.bytes)
            }
        }
    }
    return router
}

/// The output without `Date:` lines (two connections may straddle a second).
func withoutDateLines(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
    var result: [UInt8] = []
    result.reserveCapacity(bytes.count)
    var i = 0
    var lineStart = true
    while i < bytes.count {
        if lineStart && i + 6 <= bytes.count && bytes[i] == 0x44 && bytes[i + 1] == 0x61 && bytes[i + 2] == 0x74
            && bytes[i + 3] == 0x65 && bytes[i + 4] == 0x3A && bytes[i + 5] == 0x20
        {
            while i < bytes.count && bytes[i] != 0x0A { i += 1 }
            i += 1
            continue
        }
        lineStart = bytes[i] == 0x0A
        result.append(bytes[i])
        i += 1
    }
    return result
}
