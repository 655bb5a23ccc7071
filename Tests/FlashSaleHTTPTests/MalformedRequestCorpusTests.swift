import FlashSaleHTTP
import XCTest

/// Malformed, hostile and edge-of-legal requests, from RFC 9112 (message
/// syntax, framing, §6.3 body length rules, §11.2 request smuggling) and
/// published request-smuggling payload lists (PortSwigger "HTTP request
/// smuggling", the "TE.CL / CL.TE / TE.TE" families, Kettle's "HTTP Desync
/// Attacks", obs-fold and whitespace-before-colon variants).
/// Each case: the bytes sent, the status expected, whether the connection
/// must close. Refusals (4xx/5xx) carry the JSON error object; accepted
/// edge cases must leave the connection usable unless they close it.
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

    // Request line, strictly (RFC 9112 §3, §2.2).
    MalformedCase("not a request line (HELLO WORLD)", "HELLO WORLD\r\n\r\n", 400),
    MalformedCase("two spaces between method and target", "GET  /healthz HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    MalformedCase("two spaces between target and version", "GET /healthz  HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    MalformedCase("space after the version", "GET /healthz HTTP/1.1 \r\nHost: t\r\n\r\n", 400),
    MalformedCase("bare LF ending the request line", "GET /healthz HTTP/1.1\nHost: t\r\n\r\n", 400),
    MalformedCase("bare LF everywhere", "GET /healthz HTTP/1.1\nHost: t\n\n", 400),
    MalformedCase("HTTP/2 connection preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),
    MalformedCase("two-digit major version", "GET /healthz HTTP/10.1\r\nHost: t\r\n\r\n", 400),
    MalformedCase("asterisk-form on GET", "GET * HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    MalformedCase("authority-form on GET", "GET example.com:80 HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    MalformedCase("high byte in the target", bytes: Array("GET /heal".utf8) + [0xFF] + Array("thz HTTP/1.1\r\nHost: t\r\n\r\n".utf8), 400),
    MalformedCase("method token of 40 bytes", String(repeating: "A", count: 40) + " /healthz HTTP/1.1\r\nHost: t\r\n\r\n", 501),
    MalformedCase("empty line before the request line (ignored)", "\r\nGET /healthz HTTP/1.1\r\nHost: t\r\n\r\n", 200, closes: false),
    MalformedCase("absolute-form with userinfo", "GET http://user@other.example/healthz HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    MalformedCase("absolute-form with another scheme", "GET ftp://other.example/healthz HTTP/1.1\r\nHost: t\r\n\r\n", 400),
    MalformedCase("absolute-form with a different Host (the target wins)", "GET http://other.example/healthz HTTP/1.1\r\nHost: t\r\n\r\n", 200, closes: false),

    // Host syntax: uri-host [":" port] (RFC 9112 §3.2, RFC 3986 §3.2.2).
    MalformedCase("Host with a slash", "GET /healthz HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
    MalformedCase("Host with userinfo", "GET /healthz HTTP/1.1\r\nHost: a@b\r\n\r\n", 400),
    MalformedCase("Host as a list", "GET /healthz HTTP/1.1\r\nHost: a, b\r\n\r\n", 400),
    MalformedCase("Host quoted", "GET /healthz HTTP/1.1\r\nHost: \"x\"\r\n\r\n", 400),
    MalformedCase("Host port not digits", "GET /healthz HTTP/1.1\r\nHost: x:notaport\r\n\r\n", 400),
    MalformedCase("Host port out of range", "GET /healthz HTTP/1.1\r\nHost: x:99999999\r\n\r\n", 400),
    MalformedCase("Host IPv6 literal unterminated", "GET /healthz HTTP/1.1\r\nHost: [::1\r\n\r\n", 400),
    MalformedCase("Host with a space inside", "GET /healthz HTTP/1.1\r\nHost: exa mple.com\r\n\r\n", 400),
    MalformedCase("Host IPv6 literal with a port (legal)", "GET /healthz HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", 200, closes: false),
    MalformedCase("Host empty (legal)", "GET /healthz HTTP/1.1\r\nHost:\r\n\r\n", 200, closes: false),

    // Fields: line ends, whitespace, bytes (RFC 9112 §2.2, §5).
    MalformedCase("bare LF ending a header line", "GET /healthz HTTP/1.1\r\nHost: t\nX-A: b\r\n\r\n", 400),
    MalformedCase("bare LF ending the header block", "GET /healthz HTTP/1.1\r\nHost: t\r\n\n", 400),
    MalformedCase("bare CR ending the header block", "GET /healthz HTTP/1.1\r\nHost: t\r\n\rX", 400),
    MalformedCase("whitespace before the first header field", "GET /healthz HTTP/1.1\r\n Host: t\r\n\r\n", 400),
    MalformedCase("NUL in a header name", "GET /healthz HTTP/1.1\r\nHost: t\r\nX\u{0}A: b\r\n\r\n", 400),
    MalformedCase("high bytes (obs-text) in a header value (legal)", bytes: Array("GET /healthz HTTP/1.1\r\nHost: t\r\nX-A: caf".utf8) + [0xC3, 0xA9] + Array("\r\n\r\n".utf8), 200, closes: false),
    MalformedCase("very long but legal header (15 000 bytes)", "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " + String(repeating: "b", count: 15_000) + "\r\n\r\n", 200, closes: false),
    MalformedCase("exactly 100 header fields (legal)", "GET /healthz HTTP/1.1\r\nHost: t\r\n" + (1...99).map { "X-\($0): v\r\n" }.joined() + "\r\n", 200, closes: false),

    // Smuggling: chunk framing (RFC 9112 §7.1) and obfuscated framing headers.
    MalformedCase("chunk data not followed by CRLF (then a smuggled GET)", purchase + "Transfer-Encoding: chunked\r\n\r\n14\r\n{\"sku\":\"s1\",\"qty\":1}XX0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: a\r\n\r\n", 400),
    MalformedCase("chunk data followed by a bare LF", purchase + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\n0\r\n\r\n", 400),
    MalformedCase("bare LF after the chunk size", purchase + "Transfer-Encoding: chunked\r\n\r\n2\n{}\r\n0\r\n\r\n", 400),
    MalformedCase("chunk size 0x2", purchase + "Transfer-Encoding: chunked\r\n\r\n0x2\r\n{}\r\n0\r\n\r\n", 400),
    MalformedCase("chunk size +2", purchase + "Transfer-Encoding: chunked\r\n\r\n+2\r\n{}\r\n0\r\n\r\n", 400),
    MalformedCase("chunk size -2", purchase + "Transfer-Encoding: chunked\r\n\r\n-2\r\n{}\r\n0\r\n\r\n", 400),
    MalformedCase("chunk size with a trailing space", purchase + "Transfer-Encoding: chunked\r\n\r\n2 \r\n{}\r\n0\r\n\r\n", 400),
    MalformedCase("chunk size with leading zeros (legal)", purchase + "Transfer-Encoding: chunked\r\n\r\n0002\r\n{}\r\n0000\r\n\r\n", 201, closes: false),
    MalformedCase("chunk size huge (16 hex digits, over the body limit)", purchase + "Transfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n{}\r\n0\r\n\r\n", 413),
    MalformedCase("chunk size of 17 digits", purchase + "Transfer-Encoding: chunked\r\n\r\n00000000000000002\r\n{}\r\n0\r\n\r\n", 400),
    MalformedCase("last chunk missing its final CRLF before the next request", purchase + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nGET /healthz HTTP/1.1\r\n\r\n", 400),
    MalformedCase("chunk extension (legal)", purchase + "Transfer-Encoding: chunked\r\n\r\n2;name=value\r\n{}\r\n0;last\r\n\r\n", 201, closes: false),
    MalformedCase("chunk extension quoted (legal)", purchase + "Transfer-Encoding: chunked\r\n\r\n2 ; a = \"b \\\" c\"\r\n{}\r\n0\r\n\r\n", 201, closes: false),
    MalformedCase("chunk extension over 1 KiB", purchase + "Transfer-Encoding: chunked\r\n\r\n2;x=" + String(repeating: "y", count: 2000) + "\r\n{}\r\n0\r\n\r\n", 400),
    MalformedCase("chunk extension with a bare CR", purchase + "Transfer-Encoding: chunked\r\n\r\n2;a\rb\r\n{}\r\n0\r\n\r\n", 400),
    MalformedCase("trailer fields (legal)", purchase + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nX-Trailer: v\r\n\r\n", 201, closes: false),
    MalformedCase("trailer line without a colon", purchase + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nnocolon\r\n\r\n", 400),
    MalformedCase("trailer obs-fold", purchase + "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nX-T: a\r\n b\r\n\r\n", 400),
    MalformedCase("TE.TE: Transfer-Encoding upper case (legal)", purchase + "Transfer-Encoding: CHUNKED\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 201, closes: false),
    MalformedCase("TE.TE: chunked, identity", purchase + "Transfer-Encoding: chunked, identity\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 501),
    MalformedCase("TE.TE: chunked, chunked", purchase + "Transfer-Encoding: chunked, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 501),
    MalformedCase("TE.TE: tab before the colon", purchase + "Transfer-Encoding\t: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 400),
    MalformedCase("TE.TE: second Transfer-Encoding with other case", purchase + "Transfer-Encoding: chunked\r\ntransfer-encoding: x\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 400),
    MalformedCase("CL.TE: xchunked with Content-Length", purchase + "Content-Length: 4\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", 400),
    MalformedCase("Content-Length: 1, 1", purchase + "Content-Length: 1, 1\r\n\r\n{", 400),
    MalformedCase("Content-Length with leading zeros (legal)", purchase + "Content-Length: 002\r\n\r\n{}", 201, closes: false),
    MalformedCase("GET with a body (consumed, legal)", "GET /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello", 200, closes: false),
    MalformedCase("Expect: 100-continue with a small body (100, then the answer)", purchase + "Content-Length: 2\r\nExpect: 100-continue\r\n\r\n{}", 201, closes: false),
    MalformedCase("Connection: close is honoured", "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", 200),
    MalformedCase("HTTP/1.0 without Host closes after the answer", "GET /healthz HTTP/1.0\r\n\r\n", 200),

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

    func testCorpusHasAtLeastNinetyCases() {
        XCTAssertGreaterThanOrEqual(malformedCorpus.count, 90)
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
            if entry.status >= 400 {
                XCTAssertTrue(response.body.hasPrefix("{\"error\":{\"code\":\""), "\(entry.name): \(response.body)")
                XCTAssertTrue(response.body.hasSuffix("\"}}"), "\(entry.name): \(response.body)")
                XCTAssertEqual(response.header("Content-Type"), "application/json", entry.name)
            }
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
