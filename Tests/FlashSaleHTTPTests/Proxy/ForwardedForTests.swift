import FlashSaleHTTP
import FlashSaleLoop
import XCTest

/// The client address behind trusted proxies: X-Forwarded-For, Forwarded, and the
/// PROXY header, through the in-memory connection (the same code as a socket's).
final class ForwardedForTests: XCTestCase {
    private let balancer = IPAddress("10.0.0.1")!

    private func configuration(trusting networks: [String] = ["10.0.0.0/8", "2001:db8:ffff::/48"], proxyProtocol: Bool = false) -> HTTPServerConfiguration {
        var configuration = HTTPServerConfiguration()
        configuration.trustedProxies = TrustedProxies(networks.map { IPNetwork($0)! })
        configuration.proxyProtocol = proxyProtocol
        return configuration
    }

    /// The client address `/client` reports for one request with `fields` from `peer`.
    private func client(_ fields: [(String, String)], peer: IPAddress? = nil, configuration: HTTPServerConfiguration? = nil,
                        prefix: [UInt8] = [], file: StaticString = #filePath, line: UInt = #line) -> String? {
        let connection = HTTPInMemoryConnection(router: testRouter(loop: nil), configuration: configuration ?? self.configuration(),
                                                peer: peer ?? balancer)
        var head = "GET /client HTTP/1.1\r\nHost: t\r\n"
        for (name, value) in fields { head += "\(name): \(value)\r\n" }
        connection.receive(prefix + Array((head + "\r\n").utf8))
        let answer = String(decoding: connection.output, as: UTF8.self)
        guard answer.hasPrefix("HTTP/1.1 200 "), let split = answer.range(of: "\r\n\r\n") else { return nil }
        return String(answer[split.upperBound...])
    }

    func testUntrustedPeersCannotForgeTheirAddress() {
        let stranger = IPAddress("192.0.2.50")!
        XCTAssertEqual(client([("X-Forwarded-For", "203.0.113.9")], peer: stranger), "192.0.2.50")
        XCTAssertEqual(client([("Forwarded", "for=203.0.113.9")], peer: stranger), "192.0.2.50")
        XCTAssertEqual(client([("X-Forwarded-For", "203.0.113.9")], configuration: HTTPServerConfiguration()), "10.0.0.1",
                       "no trusted proxy: nobody's headers count")
    }

    func testRightMostUntrustedAddressOfXForwardedFor() {
        XCTAssertEqual(client([]), "10.0.0.1", "a trusted peer without forwarding headers is the client")
        XCTAssertEqual(client([("X-Forwarded-For", "203.0.113.9")]), "203.0.113.9")
        XCTAssertEqual(client([("X-Forwarded-For", "198.51.100.1, 203.0.113.9, 10.0.0.2")]), "203.0.113.9", "trusted hops skipped")
        XCTAssertEqual(client([("X-Forwarded-For", "1.1.1.1,203.0.113.9")]), "203.0.113.9", "a forged left entry is ignored")
        XCTAssertEqual(client([("x-forwarded-for", "1.1.1.1"), ("X-Forwarded-For", "203.0.113.9 , 10.0.0.3")]), "203.0.113.9",
                       "fields join in order")
        XCTAssertEqual(client([("X-Forwarded-For", "10.0.0.5, 10.0.0.6")]), "10.0.0.5", "all trusted: the left-most")
        XCTAssertEqual(client([("X-Forwarded-For", "203.0.113.9:4711")]), "203.0.113.9", "port stripped")
        XCTAssertEqual(client([("X-Forwarded-For", "[2001:db8::7]:443")]), "2001:db8::7")
        XCTAssertEqual(client([("X-Forwarded-For", "2001:db8::7, 2001:db8:ffff::1")]), "2001:db8::7")
        XCTAssertEqual(client([("X-Forwarded-For", "::ffff:203.0.113.9")]), "203.0.113.9")
    }

    func testUnknownOrObfuscatedEntriesStopAtTheNearestTrustedHop() {
        XCTAssertEqual(client([("X-Forwarded-For", "203.0.113.9, unknown")]), "10.0.0.1")
        XCTAssertEqual(client([("X-Forwarded-For", "unknown, 10.0.0.7")]), "10.0.0.7")
        XCTAssertEqual(client([("X-Forwarded-For", "203.0.113.9, not an address")]), "10.0.0.1")
        XCTAssertEqual(client([("X-Forwarded-For", "")]), "10.0.0.1")
        XCTAssertEqual(client([("X-Forwarded-For", "203.0.113.9,,")]), "10.0.0.1")
    }

    func testForwardedForRFC7239() {
        XCTAssertEqual(client([("Forwarded", "for=192.0.2.60;proto=http;by=203.0.113.43")]), "192.0.2.60")
        XCTAssertEqual(client([("Forwarded", #"for="[2001:db8:cafe::17]:4711""#)]), "2001:db8:cafe::17")
        XCTAssertEqual(client([("Forwarded", #"For="192.0.2.43:8080", for=198.51.100.17;by=10.0.0.1"#)]), "198.51.100.17")
        XCTAssertEqual(client([("Forwarded", "for=198.51.100.17, for=10.0.0.9")]), "198.51.100.17")
        XCTAssertEqual(client([("Forwarded", "proto=https; for=198.51.100.17")]), "198.51.100.17")
        XCTAssertEqual(client([("Forwarded", "for=_hidden")]), "10.0.0.1", "obfuscated: the trusted hop stands")
        XCTAssertEqual(client([("Forwarded", "for=unknown, for=10.0.0.9")]), "10.0.0.9")
        XCTAssertEqual(client([("Forwarded", "proto=https")]), "10.0.0.1", "an element without for=")
        XCTAssertEqual(client([("Forwarded", "for=192.0.2.60"), ("X-Forwarded-For", "203.0.113.9")]), "203.0.113.9",
                       "X-Forwarded-For wins when both are present")
    }

    func testProxyHeaderNamesTheClientAndItsTrust() {
        let proxied = configuration(trusting: ["10.0.0.0/8"], proxyProtocol: true)
        let v1 = Array("PROXY TCP4 203.0.113.9 10.0.0.1 40000 8080\r\n".utf8)
        XCTAssertEqual(client([], configuration: proxied, prefix: v1), "203.0.113.9")
        XCTAssertEqual(client([("X-Forwarded-For", "198.51.100.1")], configuration: proxied, prefix: v1), "203.0.113.9",
                       "the client behind the header is not trusted: its X-Forwarded-For is ignored")
        let fromProxy = Array("PROXY TCP4 10.0.0.2 10.0.0.1 40000 8080\r\n".utf8)
        XCTAssertEqual(client([("X-Forwarded-For", "198.51.100.1")], configuration: proxied, prefix: fromProxy), "198.51.100.1",
                       "a header naming another trusted proxy: that proxy's X-Forwarded-For counts")
        let local = ProxyHeaderParserTests.v2(command: 0, family: 0, payload: [])
        XCTAssertEqual(client([], configuration: proxied, prefix: local), "10.0.0.1", "LOCAL: the peer")
        XCTAssertEqual(client([], configuration: proxied, prefix: ProxyHeaderParserTests.v2(family: 0x11, payload: ProxyHeaderParserTests.ipv4Payload)),
                       "192.0.2.1")
        XCTAssertNil(client([], configuration: proxied), "no header: nothing is answered")
        XCTAssertNil(client([], configuration: proxied, prefix: Array("PROXY TCP4 bad\r\n".utf8)))
    }
}
