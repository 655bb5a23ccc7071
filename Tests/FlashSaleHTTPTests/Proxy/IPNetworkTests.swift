import FlashSaleHTTP
import FlashSaleLoop
import XCTest

/// Addresses (parse and RFC 5952 text) and CIDR matching.
final class IPNetworkTests: XCTestCase {
    func testAddressesParseAndPrintCanonically() {
        let cases: [(String, String)] = [
            ("192.0.2.1", "192.0.2.1"), ("0.0.0.0", "0.0.0.0"), ("255.255.255.255", "255.255.255.255"),
            ("::", "::"), ("::1", "::1"), ("2001:db8::1", "2001:db8::1"), ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
            ("::ffff:192.0.2.1", "192.0.2.1"), ("::ffff:c000:201", "192.0.2.1"), ("1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"),
            ("2001:db8:0:1:0:0:0:1", "2001:db8:0:1::1"), ("1:0:0:4:0:0:0:8", "1:0:0:4::8"), ("1:0:2:3:4:5:6:7", "1:0:2:3:4:5:6:7"),
            ("fe80::", "fe80::"), ("0:0:1::", "0:0:1::"), ("64:ff9b::192.0.2.33", "64:ff9b::c000:221"),
        ]
        for (text, canonical) in cases {
            XCTAssertEqual(IPAddress(text)?.description, canonical, text)
        }
        XCTAssertTrue(IPAddress("10.1.2.3")!.isIPv4)
        XCTAssertFalse(IPAddress("::1")!.isIPv4)
        XCTAssertEqual(IPAddress("10.1.2.3"), IPAddress("::ffff:10.1.2.3"), "one address, whichever way the socket saw it")
    }

    func testBadAddressesAreRefused() {
        for text in ["", "256.1.1.1", "1.2.3", "01.2.3.4", "1.2.3.4.5", "1.2.3.", ".1.2.3", "1..2.3", "1::2::3", "12345::", ":1", "1:",
                     "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:6:7::8:9", "[::1]", "::1%eth0", "g::", "1.2.3.4:80", "::1.2.3", "1.2.3.4::",
                     "unknown", "_hidden", " 1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4"] {
            XCTAssertNil(IPAddress(text), text)
        }
    }

    func testNetworksMatchTheirAddresses() throws {
        let ten = try XCTUnwrap(IPNetwork("10.0.0.0/8"))
        XCTAssertTrue(ten.contains(IPAddress("10.255.1.2")!))
        XCTAssertFalse(ten.contains(IPAddress("11.0.0.1")!))
        XCTAssertTrue(ten.contains(IPAddress("::ffff:10.0.0.1")!), "an IPv4-mapped peer is the IPv4 address")
        XCTAssertEqual(IPNetwork("192.168.1.7/24")?.description, "192.168.1.0/24", "host bits cleared")
        XCTAssertTrue(IPNetwork("192.168.1.7/24")!.contains(IPAddress("192.168.1.200")!))
        let host = try XCTUnwrap(IPNetwork("127.0.0.1"))
        XCTAssertEqual(host.description, "127.0.0.1/32")
        XCTAssertTrue(host.contains(IPAddress("127.0.0.1")!))
        XCTAssertFalse(host.contains(IPAddress("127.0.0.2")!))
        let doc = try XCTUnwrap(IPNetwork("2001:db8::/32"))
        XCTAssertTrue(doc.contains(IPAddress("2001:db8:ffff::1")!))
        XCTAssertFalse(doc.contains(IPAddress("2001:db9::1")!))
        XCTAssertEqual(IPNetwork("::1/128")?.description, "::1/128")
        XCTAssertTrue(IPNetwork("0.0.0.0/0")!.contains(IPAddress("203.0.113.9")!))
        XCTAssertFalse(IPNetwork("0.0.0.0/0")!.contains(IPAddress("::1")!), "an IPv4 network holds no IPv6 address")
        XCTAssertTrue(IPNetwork("::/0")!.contains(IPAddress("203.0.113.9")!))
        XCTAssertTrue(IPNetwork("10.1.2.3/31")!.contains(IPAddress("10.1.2.2")!))
        XCTAssertFalse(IPNetwork("10.1.2.3/31")!.contains(IPAddress("10.1.2.4")!))
        XCTAssertTrue(IPNetwork("2001:db8::/65")!.contains(IPAddress("2001:db8::7fff:0:0:1")!))
        XCTAssertFalse(IPNetwork("2001:db8::/65")!.contains(IPAddress("2001:db8::8000:0:0:1")!))
        for text in ["10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1", "x/8", "10.0.0.0/8/9", "10.0.0.0/ 8", "/8", "10.0.0.0/0x8"] {
            XCTAssertNil(IPNetwork(text), text)
        }
        let trusted = TrustedProxies([ten, doc])
        XCTAssertTrue(trusted.contains(IPAddress("10.9.9.9")!))
        XCTAssertTrue(trusted.contains(IPAddress("2001:db8::2")!))
        XCTAssertFalse(trusted.contains(IPAddress("192.0.2.1")!))
        XCTAssertFalse(TrustedProxies().contains(IPAddress("10.9.9.9")!), "nobody by default")
    }
}
