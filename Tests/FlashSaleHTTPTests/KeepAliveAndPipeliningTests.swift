import FlashSaleHTTP
import XCTest

final class KeepAliveAndPipeliningTests: XCTestCase {
    nonisolated(unsafe) static var server: HTTPServer!

    override class func setUp() {
        server = try! makeTestServer()
    }

    override class func tearDown() {
        server.shutdown(graceMillis: 1000)
        server.wait()
    }

    var port: Int { Self.server.port }

    func testKeepAliveServesSeveralRequestsOnOneConnection() throws {
        let client = try RawClient(port: port)
        for word in ["one", "two", "three"] {
            client.send("GET /echo/\(word) HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try client.readResponse()
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(response.body, word)
            XCTAssertNil(response.header("Connection"))
            XCTAssertNotNil(response.header("Date"))
        }
        XCTAssertFalse(client.waitForClose(within: 0.2))
    }

    func testThreePipelinedRequestsInOneWriteGetOrderedResponses() throws {
        let client = try RawClient(port: port)
        client.send("GET /echo/a HTTP/1.1\r\nHost: t\r\n\r\nGET /echo/b HTTP/1.1\r\nHost: t\r\n\r\nGET /echo/c HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertEqual(try (0..<3).map { _ in try client.readResponse().body }, ["a", "b", "c"])
    }

    func testAsyncAnswersCompletedOutOfOrderLeaveInRequestOrder() throws {
        let client = try RawClient(port: port)
        // The first answer comes last (300 ms), the second after 20 ms, the third at once.
        client.send("GET /delay/300/first HTTP/1.1\r\nHost: t\r\n\r\nGET /delay/20/second HTTP/1.1\r\nHost: t\r\n\r\nGET /echo/third HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertEqual(try (0..<3).map { _ in try client.readResponse().body }, ["first", "second", "third"])
        // Still usable afterwards.
        client.send("GET /echo/after HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertEqual(try client.readResponse().body, "after")
    }

    func testPipelinedRequestsSplitAcrossWritesAtEveryByte() throws {
        let client = try RawClient(port: port)
        let text = Array("POST /v1/sales/s1/purchases HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"qty\":1}\r\nGET /echo/z HTTP/1.1\r\nHost: t\r\n\r\n".utf8)
        for byte in text {
            client.send([byte])
            usleep(200)
        }
        let first = try client.readResponse()
        XCTAssertEqual(first.status, 201)
        XCTAssertEqual(first.body, "sale=s1 body={\"qty\":1}\r\n")
        XCTAssertEqual(try client.readResponse().body, "z")
    }

    func testValidRequestFollowedByGarbageAnswersThenCloses() throws {
        let client = try RawClient(port: port)
        client.send("GET /echo/ok HTTP/1.1\r\nHost: t\r\n\r\n\u{01}\u{02}garbage\r\n\r\n")
        let first = try client.readResponse()
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(first.body, "ok")
        let second = try client.readResponse()
        XCTAssertEqual(second.status, 400)
        XCTAssertEqual(second.header("Connection"), "close")
        XCTAssertTrue(second.body.hasPrefix("{\"error\":{\"code\":\"bad_request\""))
        XCTAssertTrue(client.waitForClose(within: 2))
    }

    func testHTTP10ClosesByDefaultAndKeepsAliveWhenAsked() throws {
        let plain = try RawClient(port: port)
        plain.send("GET /echo/x HTTP/1.0\r\n\r\n")
        let response = try plain.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("Connection"), "close")
        XCTAssertTrue(plain.waitForClose(within: 2))

        let keep = try RawClient(port: port)
        keep.send("GET /echo/y HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        let first = try keep.readResponse()
        XCTAssertEqual(first.body, "y")
        XCTAssertEqual(first.header("Connection"), "keep-alive")
        keep.send("GET /echo/z HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        XCTAssertEqual(try keep.readResponse().body, "z")
    }

    func testConnectionCloseIsHonouredAndLaterPipelinedRequestsIgnored() throws {
        let client = try RawClient(port: port)
        client.send("GET /echo/a HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\nGET /echo/b HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try client.readResponse()
        XCTAssertEqual(response.body, "a")
        XCTAssertEqual(response.header("Connection"), "close")
        XCTAssertTrue(client.waitForClose(within: 2))
    }

    func testChunkedRequestBodyIsDecoded() throws {
        let client = try RawClient(port: port)
        client.send("POST /v1/sales/s9/purchases HTTP/1.1\r\nHost: t\r\nContent-Type: application/json; charset=utf-8\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"sk\r\n5;ext=1\r\nu\":1}\r\n0\r\nX-Trailer: yes\r\n\r\n")
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 201)
        XCTAssertEqual(response.body, "sale=s9 body={\"sku\":1}")
    }

    func testExpectContinueGetsInterimResponse() throws {
        let client = try RawClient(port: port)
        client.send("POST /v1/sales/s1/purchases HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n")
        var head = [UInt8](repeating: 0, count: 25)
        let n = recv(client.fd, &head, head.count, Int32(MSG_WAITALL))
        XCTAssertEqual(String(decoding: head[0..<max(0, n)], as: UTF8.self), "HTTP/1.1 100 Continue\r\n\r\n")
        client.send("{}")
        XCTAssertEqual(try client.readResponse().status, 201)
    }

    func testHeadGetsHeadersWithoutBody() throws {
        let client = try RawClient(port: port)
        client.send("HEAD /healthz HTTP/1.1\r\nHost: t\r\n\r\nGET /echo/after HTTP/1.1\r\nHost: t\r\n\r\n")
        // Read the HEAD answer by hand: Content-Length 15 but no body follows.
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !String(decoding: bytes, as: UTF8.self).contains("after") {
            let n = recv(client.fd, &chunk, chunk.count, 0)
            guard n > 0 else { break }
            bytes += chunk[0..<n]
        }
        let text = String(decoding: bytes, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("HTTP/1.1 200 OK\r\n"))
        XCTAssertTrue(text.contains("Content-Length: 15\r\n"))
        XCTAssertFalse(text.contains("status"))
        XCTAssertTrue(text.hasSuffix("\r\n\r\nafter"))
    }

    func testClientHalfCloseStillGetsAnswers() throws {
        let client = try RawClient(port: port)
        client.send("GET /delay/50/late HTTP/1.1\r\nHost: t\r\n\r\nGET /echo/now HTTP/1.1\r\nHost: t\r\n\r\n")
        client.shutdownWrite()
        XCTAssertEqual(try client.readResponse().body, "late")
        XCTAssertEqual(try client.readResponse().body, "now")
        XCTAssertTrue(client.waitForClose(within: 2))
    }
}

final class LargeResponseTests: XCTestCase {
    func testLargeResponsesToASlowReaderArriveWholeAndInOrder() throws {
        let server = try makeTestServer { $0.workers = 1 }
        defer {
            server.shutdown(graceMillis: 1000)
            server.wait()
        }
        let client = try RawClient(port: server.port)
        // 8 MiB does not fit the socket buffers: the server queues the rest and
        // pauses reading until the client catches up.
        client.send("GET /big/8192 HTTP/1.1\r\nHost: t\r\n\r\nGET /echo/after HTTP/1.1\r\nHost: t\r\n\r\n")
        usleep(300_000)
        let big = try client.readResponse()
        XCTAssertEqual(big.status, 200)
        XCTAssertEqual(big.body.utf8.count, 8 * 1024 * 1024)
        XCTAssertTrue(big.body.utf8.enumerated().allSatisfy { $0.element == UInt8(ascii: "a") + UInt8($0.offset % 26) })
        XCTAssertEqual(try client.readResponse().body, "after")
    }
}
