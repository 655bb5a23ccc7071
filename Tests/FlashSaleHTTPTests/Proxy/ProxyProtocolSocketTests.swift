import FlashSaleHTTP
import FlashSaleLoop
import Foundation
import TestSupport
import XCTest

/// `proxyProtocol` and `trustedProxies` on a real server and real sockets. Test clients
/// bind distinct loopback sources (127.0.0.2, … are loopback on Linux).
final class ProxyProtocolSocketTests: XCTestCase {
    private func proxiedServer() throws -> HTTPServer {
        try makeTestServer {
            $0.proxyProtocol = true
            $0.trustedProxies = TrustedProxies([IPNetwork("127.0.0.1")!])
        }
    }

    private func clientAddress(_ client: RawClient) throws -> String {
        client.send("GET /client HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try client.readResponse()
        XCTAssertEqual(response.status, 200)
        return response.body
    }

    func testAValidHeaderSetsTheClientAddressForTheWholeConnection() throws {
        let server = try proxiedServer()
        defer { server.shutdown(graceMillis: 100); server.wait() }
        let v1 = try RawClient(port: server.port)
        v1.send("PROXY TCP4 203.0.113.9 127.0.0.1 40000 8080\r\n")
        XCTAssertEqual(try clientAddress(v1), "203.0.113.9")
        XCTAssertEqual(try clientAddress(v1), "203.0.113.9", "keep-alive: the same client")
        // v2, split over several writes with pauses in between.
        let v2 = try RawClient(port: server.port)
        let header = ProxyHeaderParserTests.v2(family: 0x21, payload: ProxyHeaderParserTests.ipv6Payload)
        for piece in [header[0..<3], header[3..<14], header[14..<20], header[20...]] {
            v2.send(Array(piece))
            Thread.sleep(forTimeInterval: 0.02)
        }
        XCTAssertEqual(try clientAddress(v2), "2001:db8::7")
        // The balancer's own health check: v2 LOCAL, the peer stands.
        let local = try RawClient(port: server.port)
        local.send(ProxyHeaderParserTests.v2(command: 0, family: 0, payload: []) + Array("GET /client HTTP/1.1\r\nHost: t\r\n\r\n".utf8))
        XCTAssertEqual(try local.readResponse().body, "127.0.0.1")
    }

    func testAConnectionWithoutAHeaderIsClosedWhileOthersAreServed() throws {
        let server = try proxiedServer()
        defer { server.shutdown(graceMillis: 100); server.wait() }
        let good = try RawClient(port: server.port)
        good.send("PROXY TCP4 203.0.113.9 127.0.0.1 40000 8080\r\n")
        let plain = try RawClient(port: server.port)
        plain.send("GET /client HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertTrue(plain.waitForClose(within: 2), "no PROXY header: closed")
        XCTAssertThrowsError(try plain.readResponse(), "nothing is written")
        let garbage = try RawClient(port: server.port)
        garbage.send("PROXY TCP4 203.0.113.9 127.0.0.1 40000\r\n")
        XCTAssertTrue(garbage.waitForClose(within: 2), "a malformed header: closed")
        XCTAssertEqual(try clientAddress(good), "203.0.113.9", "the others keep being served")
        XCTAssertTrue(waitUntil(timeoutSeconds: 2) { server.openConnections == 1 }, "the refused ones are gone")
    }

    func testAHeaderThatNeverCompletesIsClosedAtTheHeaderDeadlineWithoutAWord() throws {
        let server = try makeTestServer {
            $0.proxyProtocol = true
            $0.trustedProxies = TrustedProxies([IPNetwork("127.0.0.1")!])
            $0.headerTimeoutMillis = 300
        }
        defer { server.shutdown(graceMillis: 100); server.wait() }
        let slow = try RawClient(port: server.port)
        slow.send("PROXY TCP4 203.0.113.9 127.0.0.1 4")
        XCTAssertTrue(slow.waitForClose(within: 3), "closed at the deadline")
        XCTAssertThrowsError(try slow.readResponse(), "no 408: nothing is written before a valid header")
    }

    func testAnUntrustedSourceIsRefused() throws {
        let server = try proxiedServer()
        defer { server.shutdown(graceMillis: 100); server.wait() }
        let stranger = try RawClient(port: server.port, source: "127.0.0.2")
        stranger.send("PROXY TCP4 203.0.113.9 127.0.0.1 40000 8080\r\nGET /client HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertTrue(stranger.waitForClose(within: 2), "a PROXY header from an untrusted peer is refused")
        let trusted = try RawClient(port: server.port)
        trusted.send("PROXY TCP4 198.51.100.4 127.0.0.1 40000 8080\r\n")
        XCTAssertEqual(try clientAddress(trusted), "198.51.100.4")
    }

    func testXForwardedForCountsOnlyFromATrustedPeer() throws {
        let server = try makeTestServer { $0.trustedProxies = TrustedProxies([IPNetwork("127.0.0.2/32")!]) }
        defer { server.shutdown(graceMillis: 100); server.wait() }
        let request = "GET /client HTTP/1.1\r\nHost: t\r\nX-Forwarded-For: 198.51.100.1, 203.0.113.9\r\n\r\n"
        let proxy = try RawClient(port: server.port, source: "127.0.0.2")
        proxy.send(request)
        XCTAssertEqual(try proxy.readResponse().body, "203.0.113.9")
        let stranger = try RawClient(port: server.port, source: "127.0.0.3")
        stranger.send(request)
        XCTAssertEqual(try stranger.readResponse().body, "127.0.0.3", "a forged X-Forwarded-For from an untrusted peer is ignored")
        let plain = try RawClient(port: server.port, source: "127.0.0.4")
        XCTAssertEqual(try clientAddress(plain), "127.0.0.4")
    }
}
