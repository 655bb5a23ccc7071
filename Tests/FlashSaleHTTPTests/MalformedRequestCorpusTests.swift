import FlashSaleHTTP
import XCTest

/// Malformed and hostile requests, from RFC 9112 (message syntax, framing,
/// §6.3 body length rules, §11.2 request smuggling) and published
/// request-smuggling payload lists (PortSwigger "HTTP request smuggling",
/// the "TE.CL / CL.TE / TE.TE" families, Kettle's "HTTP Desync Attacks",
/// obs-fold and whitespace-before-colon variants).
/// Each case: the bytes sent, the status expected, whether the connection must close.
struct MalformedCase {
    let name: String
    let request: [UInt8]
    let status: Int
    let closes: Bool

    init(_ name: String, _ request: String, _ status: Int, closes: Bool = true) {
        self.name = name
        self.request = Array(request.utf8)
        self.status = status
        self.closes = closes
    }

    init(_ name: String, bytes: [UInt8], _ status: Int, closes: Bool = true) {
        self.name = name
        request = bytes
        self.status = status
        self.closes = closes
    }
}

let purchase = "POST /v1/sales/s1/purchases HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"

let malformedCorpus: [MalformedCase] = [
    // Request line and target (RFC 9112 §3).
    MalformedCase("request target over 8 KiB", "GET /" + String(repeating: "a", count: 9000) + " HTTP/1.1\r\nHost: t\r\n\r\n", 414),
    MalformedCase("HTTP/1.1 without Host", "GET /healthz HTTP/1.1\r\n\r\n", 400),
    MalformedCase("two Host headers", "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
    MalformedCase("HTTP/2.0 request line", "GET /healthz HTTP/2.0\r\nHost: t\r\n\r\n", 505),
    MalformedCase("HTTP/3.0 request line", "GET /healthz HTTP/3.0\r\nHost: t\r\n\r\n", 505),
    MalformedCase("HTTP/1.2 request line", "GET /healthz HTTP/1.2\r\nHost: t\r\n\r\n", 505),
    MalformedCase("HTTP/0.9 simple request", "GET /healthz\r\n\r\n", 400),
    MalformedCase("garbage version", "GET /healthz HTTP/1.x\r\nHost: t\r\n\r\n", 400),
    MalformedCase("lowercase protocol name", "GET /healthz http/1.1\r\nHost: t\r\n\r\n", 400),
    MalformedCase("space inside the target", "GET /heal thz HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    MalformedCase("fragment in the target", "GET /healthz#frag HTTP/1.1\r\nHost: t\r\n\r\n", 400, closes: false),
    MalformedCase("unknown method", "FOO /healthz HTTP/1.1\r\nHost: t\r\n\r\n", 501),
    MalformedCase("lowercase method (methods are case-sensitive)", "get /healthz HTTP/1.1\r\nHost: t\r\n\r\n", 501),
    MalformedCase("binary garbage (TLS ClientHello)", bytes: [0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00, 0x00, 0xA1, 0x03, 0x03, 0x0D, 0x0A, 0x0D, 0x0A], 400),
    MalformedCase("tab between method and target", "GET\t/healthz HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    MalformedCase("NUL in the target", "GET /heal\u{0}thz HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    MalformedCase("CONNECT tunnel", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 400),

    // Header syntax (RFC 9112 §5).
    MalformedCase("whitespace before the colon (Host)", "GET /healthz HTTP/1.1\r\nHost : t\r\n\r\n", 400),
    MalformedCase("whitespace before the colon (Content-Length)", purchase + "Content-Length : 2\r\n\r\n{}", 400),
    MalformedCase("tab before the colon", "GET /healthz HTTP/1.1\r\nHost\t: t\r\n\r\n", 400),
    MalformedCase("obs-fold continuation line", "GET /healthz HTTP/1.1\r\nHost: t\r\nX-A: a\r\n  b\r\n\r\n", 400),
    MalformedCase("obs-fold with a tab", "GET /healthz HTTP/1.1\r\nHost: t\r\nX-A: a\r\n\tb\r\n\r\n", 400),
    MalformedCase("NUL in a header value", "GET /healthz HTTP/1.1\r\nHost: t\r\nX-A: a\u{0}b\r\n\r\n", 400),
    MalformedCase("bare CR in a header value", "GET /healthz HTTP/1.1\r\nHost: t\r\nX-A: a\rb\r\n\r\n", 400),
    MalformedCase("DEL in a header value", "GET /healthz HTTP/1.1\r\nHost: t\r\nX-A: a\u{7F}b\r\n\r\n", 400),
    MalformedCase("non-token character in a header name", "GET /healthz HTTP/1.1\r\nHost: t\r\nX@A: b\r\n\r\n", 400),
    MalformedCase("empty header name", "GET /healthz HTTP/1.1\r\nHost: t\r\n: b\r\n\r\n", 400),
    MalformedCase("header line without a colon", "GET /healthz HTTP/1.1\r\nHost: t\r\nNoColonHere\r\n\r\n", 400),
    MalformedCase("header block over 16 KiB", "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " + String(repeating: "b", count: 17_000) + "\r\n\r\n", 431),
    MalformedCase("101 header fields", "GET /healthz HTTP/1.1\r\nHost: t\r\n" + (1...100).map { "X-\($0): v\r\n" }.joined() + "\r\n", 431),

    // Message body length (RFC 9112 §6.3) and smuggling (§11.2).
    MalformedCase("CL.TE: Content-Length then Transfer-Encoding", purchase + "Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG", 400),
    MalformedCase("TE.CL: Transfer-Encoding then Content-Length", purchase + "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n", 400),
    MalformedCase("TE.CL with Content-Length: 0", purchase + "Transfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n0\r\n\r\n", 400),
    MalformedCase("duplicate Content-Length, same value", purchase + "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}", 400),
    MalformedCase("duplicate Content-Length, different values", purchase + "Content-Length: 2\r\nContent-Length: 5\r\n\r\n{}", 400),
    MalformedCase("Content-Length list", purchase + "Content-Length: 2, 2\r\n\r\n{}", 400),
    MalformedCase("Content-Length +1", purchase + "Content-Length: +1\r\n\r\n{", 400),
    MalformedCase("Content-Length -1", purchase + "Content-Length: -1\r\n\r\n", 400),
    MalformedCase("Content-Length 0x10", purchase + "Content-Length: 0x10\r\n\r\n", 400),
    MalformedCase("Content-Length empty", purchase + "Content-Length: \r\n\r\n", 400),
    MalformedCase("Content-Length 1e3", purchase + "Content-Length: 1e3\r\n\r\n", 400),
    MalformedCase("Content-Length with inner space", purchase + "Content-Length: 1 2\r\n\r\n", 400),
    MalformedCase("Content-Length overflowing 64 bits", purchase + "Content-Length: 99999999999999999999999\r\n\r\n", 400),
    MalformedCase("TE.TE: vertical tab before chunked", purchase + "Transfer-Encoding:\u{0B}chunked\r\n\r\n0\r\n\r\n", 400),
    MalformedCase("TE.TE: whitespace before the colon", purchase + "Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n", 400),
    MalformedCase("TE.TE: duplicate Transfer-Encoding", purchase + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    MalformedCase("TE.TE: obs-folded Transfer-Encoding", purchase + "Transfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n", 400),
    MalformedCase("Transfer-Encoding in HTTP/1.0", "POST /v1/sales/s1/purchases HTTP/1.0\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
    MalformedCase("unknown transfer coding gzip", purchase + "Transfer-Encoding: gzip\r\n\r\n", 501),
    MalformedCase("chunked not last (chunked, gzip)", purchase + "Transfer-Encoding: chunked, gzip\r\n\r\n", 501),
    MalformedCase("gzip before chunked", purchase + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n", 501),
    MalformedCase("transfer coding identity", purchase + "Transfer-Encoding: identity\r\n\r\n", 501),
    MalformedCase("transfer coding xchunked", purchase + "Transfer-Encoding: xchunked\r\n\r\n", 501),
    MalformedCase("invalid chunk size", purchase + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", 400),
    MalformedCase("chunk size overflow", purchase + "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffff1\r\n{}\r\n0\r\n\r\n", 400),
    MalformedCase("chunk data longer than its size", purchase + "Transfer-Encoding: chunked\r\n\r\n1\r\n{}\r\n0\r\n\r\n", 400),

    // Limits on the body (RFC 9110 §15.5.14).
    MalformedCase("Content-Length over 64 KiB (413 before the body)", purchase + "Content-Length: 70000\r\n\r\n", 413),
    MalformedCase("Expect: 100-continue with a too-large body", purchase + "Content-Length: 1000000\r\nExpect: 100-continue\r\n\r\n", 413),
    MalformedCase("chunked body over 64 KiB", purchase + "Transfer-Encoding: chunked\r\n\r\n" + String(repeating: "1000\r\n" + String(repeating: "x", count: 4096) + "\r\n", count: 17) + "0\r\n\r\n", 413),

    // Routing errors keep the connection (framing was fine).
    MalformedCase("unknown path", "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n", 404, closes: false),
    MalformedCase("trailing slash is another path", "GET /healthz/ HTTP/1.1\r\nHost: t\r\n\r\n", 404, closes: false),
    MalformedCase("known method not allowed on a known path", "DELETE /healthz HTTP/1.1\r\nHost: t\r\n\r\n", 405, closes: false),
    MalformedCase("POST on a GET-only path, with a body", "POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{}", 405, closes: false),
    MalformedCase("JSON route with text/plain", "POST /v1/sales/s1/purchases HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}", 415, closes: false),
    MalformedCase("JSON route without Content-Type", "POST /v1/sales/s1/purchases HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{}", 415, closes: false),
    MalformedCase("JSON route with application/jsonx", "POST /v1/sales/s1/purchases HTTP/1.1\r\nHost: t\r\nContent-Type: application/jsonx\r\nContent-Length: 2\r\n\r\n{}", 415, closes: false),
]

final class MalformedRequestCorpusTests: XCTestCase {
    nonisolated(unsafe) static var server: HTTPServer!

    override class func setUp() {
        server = try! makeTestServer()
    }

    override class func tearDown() {
        server.shutdown(graceMillis: 1000)
        server.wait()
    }

    func testCorpusHasAtLeastFortyCases() {
        XCTAssertGreaterThanOrEqual(malformedCorpus.count, 40)
    }

    func testEveryMalformedRequestGetsItsStatusAndCloseBehaviour() throws {
        for entry in malformedCorpus {
            let client = try RawClient(port: Self.server.port)
            client.send(entry.request)
            let response: RawClient.Response
            do {
                response = try client.readResponse()
            } catch {
                XCTFail("\(entry.name): no response (\(error))")
                continue
            }
            XCTAssertEqual(response.status, entry.status, "\(entry.name): \(response.body)")
            XCTAssertTrue(response.body.hasPrefix("{\"error\":{\"code\":\""), "\(entry.name): \(response.body)")
            XCTAssertEqual(response.header("Content-Type"), "application/json", entry.name)
            if entry.closes {
                XCTAssertEqual(response.header("Connection"), "close", entry.name)
                XCTAssertTrue(client.waitForClose(within: 2), "\(entry.name): connection left open")
            } else {
                XCTAssertNil(response.header("Connection"), entry.name)
                client.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
                XCTAssertEqual(try? client.readResponse().status, 200, "\(entry.name): connection not reusable")
            }
        }
    }

    func testErrorAfterPipelinedRequestsComesInOrder() throws {
        let client = try RawClient(port: Self.server.port)
        client.send("GET /delay/100/first HTTP/1.1\r\nHost: t\r\n\r\nGET /healthz HTTP/1.1\r\nHost : t\r\n\r\n")
        XCTAssertEqual(try client.readResponse().body, "first")
        XCTAssertEqual(try client.readResponse().status, 400)
        XCTAssertTrue(client.waitForClose(within: 2))
    }

    func test405CarriesAllow() throws {
        let client = try RawClient(port: Self.server.port)
        client.send("DELETE /v1/sales/s1 HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 405)
        XCTAssertEqual(response.header("Allow"), "PUT, GET, HEAD")
    }
}
