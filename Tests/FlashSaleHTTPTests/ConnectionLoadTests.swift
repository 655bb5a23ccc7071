import FlashSaleHTTP
import XCTest

final class ConnectionLoadTests: XCTestCase {
    func testFiveThousandConcurrentConnectionsAreHeldAndAnswered() throws {
        let limit = raiseOpenFileLimit(to: 12_000)
        try XCTSkipIf(limit < 10_200, "open-files limit \(limit) is too low for 5,000 client + 5,000 server sockets")
        let server = try makeTestServer { $0.workers = 2 }
        defer {
            server.shutdown(graceMillis: 2000)
            server.wait()
        }
        let count = 5000
        var clients: [RawClient] = []
        clients.reserveCapacity(count)
        for _ in 0..<count { clients.append(try RawClient(port: server.port, timeout: 20)) }
        // Every connection is open at once before any request is sent.
        var open = 0
        for _ in 0..<100 {
            open = server.openConnections
            if open == count { break }
            usleep(50_000)
        }
        XCTAssertEqual(open, count)
        for (i, client) in clients.enumerated() { client.send("GET /echo/c\(i) HTTP/1.1\r\nHost: t\r\n\r\n") }
        var answered = 0
        for (i, client) in clients.enumerated() {
            if let response = try? client.readResponse(), response.status == 200, response.body == "c\(i)" { answered += 1 }
        }
        XCTAssertEqual(answered, count)
        // And they stay usable.
        clients[0].send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertEqual(try clients[0].readResponse().status, 200)
        XCTAssertEqual(server.openConnections, count)
    }

    func testConnectionsOverTheCapGet503() throws {
        let server = try makeTestServer {
            $0.workers = 1
            $0.maxConnections = 3
        }
        defer {
            server.shutdown(graceMillis: 1000)
            server.wait()
        }
        let kept = try (0..<3).map { _ in try RawClient(port: server.port) }
        for client in kept {
            client.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            XCTAssertEqual(try client.readResponse().status, 200)
        }
        let refused = try RawClient(port: server.port)
        let response = try refused.readResponse()
        XCTAssertEqual(response.status, 503)
        // The whole body, exactly as long as its Content-Length says.
        XCTAssertEqual(response.body, #"{"error":{"code":"overloaded","message":"too many open connections"}}"#)
        XCTAssertTrue(refused.waitForClose(within: 2))
        // A slot frees up when a connection closes.
        kept[0].send("GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(try kept[0].readResponse().status, 200)
        XCTAssertTrue(kept[0].waitForClose(within: 2))
        var served = false
        for _ in 0..<20 where !served {
            let again = try RawClient(port: server.port)
            again.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
            served = (try? again.readResponse().status) == 200
            if !served { usleep(50_000) }
        }
        XCTAssertTrue(served)
    }
}
