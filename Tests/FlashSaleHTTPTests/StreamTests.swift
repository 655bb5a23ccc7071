import FlashSaleHTTP
import XCTest

/// Streamed answers (Server-Sent Events) through the real parser and encoder.
final class StreamTests: XCTestCase {
    private final class Holder { var stream: HTTPStream? }

    private func router(_ holder: Holder) -> HTTPRouter {
        let router = HTTPRouter()
        router.get("/events") { _, responder in
            holder.stream = responder.startStream(.ok, contentType: HTTPContentType("text/event-stream")) { $0.add("Cache-Control", "no-store") }
            if holder.stream == nil { responder.respond(.badRequest, contentType: .plainText, body: "refused") }
        }
        router.get("/plain") { _, responder in responder.respond(.ok, contentType: .plainText, body: "plain") }
        return router
    }

    func testHeadThenPiecesThenTheConnectionEnds() throws {
        let holder = Holder()
        let connection = HTTPInMemoryConnection(router: router(holder))
        connection.receive(Array("GET /events HTTP/1.1\r\nHost: t\r\n\r\n".utf8))
        let stream = try XCTUnwrap(holder.stream)
        var text = String(decoding: connection.output, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"), text)
        XCTAssertFalse(text.contains("Content-Length"), text)
        XCTAssertTrue(text.contains("Connection: close\r\n") && text.hasSuffix("Cache-Control: no-store\r\n\r\n"), text)
        XCTAssertTrue(connection.isClosing, "no further requests on a streaming connection")
        connection.clearOutput()
        XCTAssertTrue(stream.isOpen)
        XCTAssertTrue(stream.write("data: 1\n\n"))
        XCTAssertTrue(stream.write("data: 2\n\n"))
        text = String(decoding: connection.output, as: UTF8.self)
        XCTAssertEqual(text, "data: 1\n\ndata: 2\n\n")
        stream.finish()
        XCTAssertFalse(stream.isOpen)
        XCTAssertFalse(stream.write("data: 3\n\n"))
        XCTAssertEqual(String(decoding: connection.output, as: UTF8.self), text)
    }

    func testAStreamIsTheConnectionsLastAnswer() throws {
        let holder = Holder()
        let connection = HTTPInMemoryConnection(router: router(holder))
        // A request pipelined behind the stream is not parsed: the connection ends with the stream.
        connection.receive(Array("GET /events HTTP/1.1\r\nHost: t\r\n\r\nGET /plain HTTP/1.1\r\nHost: t\r\n\r\n".utf8))
        let stream = try XCTUnwrap(holder.stream)
        XCTAssertTrue(stream.write("data: x\n\n"))
        let text = String(decoding: connection.output, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 200 OK\r\n") && text.hasSuffix("\r\n\r\ndata: x\n\n"), text)
        XCTAssertFalse(text.contains("plain"), text)
    }

    func testOnlyTheOldestUnansweredRequestMayStream() {
        let holder = Holder()
        let router = HTTPRouter()
        var parked: HTTPResponder?
        router.get("/slow") { _, responder in parked = responder }
        router.get("/events") { _, responder in
            holder.stream = responder.startStream(.ok, contentType: HTTPContentType("text/event-stream"))
            if holder.stream == nil { responder.respond(.badRequest, contentType: .plainText, body: "refused") }
        }
        let connection = HTTPInMemoryConnection(router: router)
        // /slow is still unanswered when /events asks to stream: refused, answered in order.
        connection.receive(Array("GET /slow HTTP/1.1\r\nHost: t\r\n\r\nGET /events HTTP/1.1\r\nHost: t\r\n\r\n".utf8))
        XCTAssertNil(holder.stream)
        parked?.respond(.ok, contentType: .plainText, body: "slow")
        let text = String(decoding: connection.output, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 200 OK\r\n") && text.contains("\r\n\r\nslowHTTP/1.1 400 Bad Request\r\n"), text)
    }

    func testASlowReaderLosesItsStream() throws {
        let holder = Holder()
        var configuration = HTTPServerConfiguration()
        configuration.maxQueuedOutputBytes = 64
        let connection = HTTPInMemoryConnection(router: router(holder), configuration: configuration)
        connection.receive(Array("GET /events HTTP/1.1\r\nHost: t\r\n\r\n".utf8))
        let stream = try XCTUnwrap(holder.stream)
        connection.clearOutput()  // the in-memory connection never drains by itself
        XCTAssertTrue(stream.write(String(repeating: "x", count: 60)))
        XCTAssertFalse(stream.write(String(repeating: "y", count: 10)), "the bound is enforced")
        XCTAssertFalse(stream.isOpen)
    }
}
