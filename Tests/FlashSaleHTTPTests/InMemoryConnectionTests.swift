import FlashSaleHTTP
import XCTest

/// The socket-less connection used by the benchmarks gives the same answers.
final class InMemoryConnectionTests: XCTestCase {
    private func text(_ connection: HTTPInMemoryConnection) -> String {
        String(decoding: connection.output, as: UTF8.self)
    }

    func testPurchaseRequestIsParsedRoutedAndAnswered() {
        let connection = HTTPInMemoryConnection(router: testRouter(loop: nil))
        let body = #"{"sku":"a","qty":1}"#
        connection.receive(Array("POST /v1/sales/s7/purchases?x=1 HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8))
        let answer = text(connection)
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 201 Created\r\n"), answer)
        XCTAssertTrue(answer.hasSuffix("\r\n\r\nsale=s7 body=\(body)"), answer)
        XCTAssertTrue(answer.contains("Content-Length: \("sale=s7 body=\(body)".utf8.count)\r\n"), answer)
        connection.clearOutput()
        // The buffers are reused: the same request again gives the same answer.
        connection.receive(Array("POST /v1/sales/s7/purchases HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8))
        XCTAssertEqual(text(connection), answer)
    }

    func testRequestSplitIntoSingleBytesGivesTheSameAnswer() {
        let whole = HTTPInMemoryConnection(router: testRouter(loop: nil))
        let bytes = Array("GET /echo/abc HTTP/1.1\r\nHost: t\r\nX-A: 1\r\nX-B:\r\n\r\n".utf8)
        whole.receive(bytes)
        let split = HTTPInMemoryConnection(router: testRouter(loop: nil))
        for byte in bytes { split.receive([byte]) }
        XCTAssertEqual(text(split), text(whole))
        XCTAssertTrue(text(whole).hasSuffix("\r\n\r\nabc"))
    }

    func testFoldSplitAcrossReadsIsStillRejected() {
        let connection = HTTPInMemoryConnection(router: testRouter(loop: nil))
        connection.receive(Array("GET /healthz HTTP/1.1\r\nHost: t\r\nX-A: a".utf8))
        connection.receive(Array("\r\n b\r\n\r\n".utf8))
        XCTAssertTrue(text(connection).hasPrefix("HTTP/1.1 400 Bad Request\r\n"), text(connection))
        XCTAssertTrue(connection.isClosing)
    }

    func testChunkedBodyLimitCountsDecodedBytes() {
        var config = HTTPServerConfiguration()
        config.maxBodyBytes = 10
        let connection = HTTPInMemoryConnection(router: testRouter(loop: nil), configuration: config)
        connection.receive(Array("POST /v1/sales/s1/purchases HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n6\r\n123456\r\n6\r\n123456\r\n0\r\n\r\n".utf8))
        XCTAssertTrue(text(connection).hasPrefix("HTTP/1.1 413 Content Too Large\r\n"), text(connection))
    }

    /// The worker lists its connections and each connection holds its worker:
    /// a released in-memory connection must take both down (LeakSanitizer
    /// reported the pair leaking after `PRI * HTTP/2.0` and every other input).
    func testReleasedConnectionFreesItsWorkerAndRouter() {
        weak var router: HTTPRouter?
        for input in ["PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n", "GET /heal"] {
            do {
                let routes = testRouter(loop: nil)
                router = routes
                let connection = HTTPInMemoryConnection(router: routes)
                connection.receive(Array(input.utf8))
            }
            XCTAssertNil(router, input)
        }
    }
}
