import FlashSaleHTTP
import Synchronization
import XCTest

final class GracefulShutdownTests: XCTestCase {
    func testShutdownFinishesInFlightRequestsClosesIdleAndStopsAccepting() throws {
        let server = try makeTestServer { $0.workers = 2 }
        let port = server.port
        let busy = try RawClient(port: port)
        let idle = try RawClient(port: port)
        idle.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertEqual(try idle.readResponse().status, 200)
        // In flight: answered 400 ms from now, after shutdown has begun.
        busy.send("GET /delay/400/done HTTP/1.1\r\nHost: t\r\n\r\n")
        usleep(100_000)
        let stopped = Mutex(false)
        let waiter = Thread {
            server.shutdown(graceMillis: 5000)
            server.wait()
            stopped.withLock { $0 = true }
        }
        waiter.start()
        // The idle connection is closed at once.
        XCTAssertTrue(idle.waitForClose(within: 2))
        // The in-flight request completes, marked as the connection's last.
        let response = try busy.readResponse()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.body, "done")
        XCTAssertEqual(response.header("Connection"), "close")
        XCTAssertTrue(busy.waitForClose(within: 2))
        // Workers stop well before the grace period ends, and the port is closed.
        var done = false
        for _ in 0..<60 where !done {
            usleep(50_000)
            done = stopped.withLock { $0 }
        }
        XCTAssertTrue(done)
        XCTAssertThrowsError(try RawClient(port: port))
    }

    func testGraceDeadlineClosesRequestsThatNeverFinish() throws {
        let server = try makeTestServer { $0.workers = 1 }
        let stuck = try RawClient(port: server.port)
        stuck.send("GET /delay/60000/never HTTP/1.1\r\nHost: t\r\n\r\n")
        usleep(100_000)
        let start = DispatchTime.now()
        server.shutdown(graceMillis: 500)
        server.wait()
        let waited = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        XCTAssertLessThan(waited, 3)
        XCTAssertTrue(stuck.waitForClose(within: 2))
    }
}
