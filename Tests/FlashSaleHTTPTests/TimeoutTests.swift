import FlashSaleHTTP
import XCTest

/// Slow clients are closed on time while others are served promptly.
final class TimeoutTests: XCTestCase {
    nonisolated(unsafe) static var server: HTTPServer!

    override class func setUp() {
        server = try! makeTestServer { config in
            config.workers = 1  // the stalled and the healthy client share one loop
            config.headerTimeoutMillis = 1000
            config.bodyTimeoutMillis = 1000
            config.keepAliveTimeoutMillis = 1500
        }
    }

    override class func tearDown() {
        server.shutdown(graceMillis: 1000)
        server.wait()
    }

    private func elapsed(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }

    func testSlowlorisHeadersGet408AndCloseWhileOthersAreServed() throws {
        let slow = try RawClient(port: Self.server.port)
        let start = DispatchTime.now()
        slow.send("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: ")
        // Meanwhile a healthy client keeps getting answers.
        let healthy = try RawClient(port: Self.server.port)
        for i in 0..<8 {
            healthy.send("GET /echo/\(i) HTTP/1.1\r\nHost: t\r\n\r\n")
            XCTAssertEqual(try healthy.readResponse().body, "\(i)")
            slow.send("a")  // trickle: one byte every 100 ms does not extend the deadline
            usleep(100_000)
        }
        slow.setTimeout(4)
        let response = try slow.readResponse()
        XCTAssertEqual(response.status, 408)
        XCTAssertEqual(response.header("Connection"), "close")
        XCTAssertTrue(slow.waitForClose(within: 2))
        let waited = elapsed(since: start)
        XCTAssertGreaterThan(waited, 0.9, "closed before the header timeout")
        XCTAssertLessThan(waited, 3.0, "not closed near the 1 s header timeout")
    }

    func testSlowBodyGets408() throws {
        let slow = try RawClient(port: Self.server.port)
        let start = DispatchTime.now()
        slow.send("POST /v1/sales/s1/purchases HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 10\r\n\r\n{\"a\"")
        slow.setTimeout(4)
        let response = try slow.readResponse()
        XCTAssertEqual(response.status, 408)
        XCTAssertTrue(slow.waitForClose(within: 2))
        XCTAssertGreaterThan(elapsed(since: start), 0.9)
    }

    func testSilentConnectionIsClosedAfterHeaderTimeout() throws {
        let silent = try RawClient(port: Self.server.port)
        let start = DispatchTime.now()
        silent.setTimeout(4)
        // Nothing was sent: 408 and close.
        XCTAssertEqual(try silent.readResponse().status, 408)
        XCTAssertTrue(silent.waitForClose(within: 2))
        XCTAssertGreaterThan(elapsed(since: start), 0.9)
    }

    func testIdleKeepAliveConnectionIsClosedAfterItsTimeout() throws {
        let client = try RawClient(port: Self.server.port)
        client.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertEqual(try client.readResponse().status, 200)
        let start = DispatchTime.now()
        XCTAssertTrue(client.waitForClose(within: 4))
        let waited = elapsed(since: start)
        XCTAssertGreaterThan(waited, 1.4)
        XCTAssertLessThan(waited, 3.5)
    }
}
