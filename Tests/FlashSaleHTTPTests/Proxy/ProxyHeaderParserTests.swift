import FlashSaleHTTP
import FlashSaleLoop
import XCTest

/// The PROXY protocol header reader: v1 and v2, every family, the bounds, and the same
/// verdict over every split.
final class ProxyHeaderParserTests: XCTestCase {
    private static let signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]

    /// A v2 block: signature, version/command, family/transport, length, payload.
    static func v2(command: UInt8 = 1, family: UInt8, payload: [UInt8], length: Int? = nil) -> [UInt8] {
        let count = length ?? payload.count
        return signature + [0x20 | command, family, UInt8(count >> 8), UInt8(count & 0xFF)] + payload
    }

    static let ipv4Payload: [UInt8] = [192, 0, 2, 1, 198, 51, 100, 2, 0xDC, 0x04, 0x01, 0xBB]
    static let ipv6Payload: [UInt8] = [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [7]
        + [0x20, 0x01, 0x0D, 0xB8] + [UInt8](repeating: 0, count: 11) + [8] + [0, 80, 1, 187]

    /// Feeds `bytes` in the given pieces; the total consumed and the last result.
    private func feed(_ bytes: [UInt8], cuts: [Int]) -> (consumed: Int, result: ProxyHeaderParser.Result) {
        let parser = ProxyHeaderParser()
        var consumed = 0
        var start = 0
        var result = ProxyHeaderParser.Result.needMore
        for end in cuts + [bytes.count] where end >= start {
            let (used, verdict) = bytes[start..<end].withUnsafeBytes { raw -> (Int, ProxyHeaderParser.Result) in
                guard let base = raw.baseAddress else { return (0, .needMore) }
                return parser.parse(base, raw.count)
            }
            consumed += used
            result = verdict
            if verdict != .needMore { return (consumed, result) }
            start = end
        }
        return (consumed, result)
    }

    private func parse(_ bytes: [UInt8]) -> (consumed: Int, result: ProxyHeaderParser.Result) { feed(bytes, cuts: []) }

    private let rest = Array("GET / HTTP/1.1\r\n".utf8)

    private var validCases: [(String, [UInt8], ProxyHeader)] {
        [
            ("v1 TCP4", Array("PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n".utf8), .relayed(source: IPAddress("192.0.2.1")!)),
            ("v1 TCP6", Array("PROXY TCP6 2001:db8::7 2001:db8::8 1 65535\r\n".utf8), .relayed(source: IPAddress("2001:db8::7")!)),
            ("v1 UNKNOWN", Array("PROXY UNKNOWN\r\n".utf8), .local),
            ("v1 UNKNOWN with addresses", Array("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n".utf8), .local),
            ("v2 PROXY IPv4", Self.v2(family: 0x11, payload: Self.ipv4Payload), .relayed(source: IPAddress("192.0.2.1")!)),
            ("v2 PROXY IPv6", Self.v2(family: 0x21, payload: Self.ipv6Payload), .relayed(source: IPAddress("2001:db8::7")!)),
            ("v2 PROXY IPv4 with TLVs", Self.v2(family: 0x11, payload: Self.ipv4Payload + [0x04, 0x00, 0x03, 1, 2, 3, 0x05, 0x00, 0x01, 9]),
             .relayed(source: IPAddress("192.0.2.1")!)),
            ("v2 LOCAL", Self.v2(command: 0, family: 0x00, payload: []), .local),
            ("v2 LOCAL with addresses", Self.v2(command: 0, family: 0x11, payload: Self.ipv4Payload), .local),
            ("v2 UNSPEC", Self.v2(family: 0x00, payload: []), .local),
            ("v2 UNIX", Self.v2(family: 0x31, payload: [UInt8](repeating: 0x41, count: 216)), .local),
            ("v2 largest payload", Self.v2(family: 0x11, payload: Self.ipv4Payload + [0x04, 0x07, 0xF1] + [UInt8](repeating: 0, count: 2033)),
             .relayed(source: IPAddress("192.0.2.1")!)),
        ]
    }

    func testValidHeadersAndWhatFollowsThem() {
        for (name, header, expected) in validCases {
            let (consumed, result) = parse(header + rest)
            XCTAssertEqual(result, .done(expected), name)
            XCTAssertEqual(consumed, header.count, "\(name): the bytes after the header are the HTTP parser's")
        }
    }

    func testEverySplitPointGivesTheSameVerdict() {
        for (name, header, expected) in validCases where header.count < 300 {
            let input = header + rest
            for cut in 0...input.count {
                let (consumed, result) = feed(input, cuts: [cut])
                XCTAssertEqual(result, .done(expected), "\(name) cut at \(cut)")
                XCTAssertEqual(consumed, header.count, "\(name) cut at \(cut)")
            }
            let (consumed, result) = feed(input, cuts: Array(1..<input.count))
            XCTAssertEqual(result, .done(expected), "\(name) byte by byte")
            XCTAssertEqual(consumed, header.count, "\(name) byte by byte")
        }
        for (name, input, expected) in invalidCases {
            for cut in 0...input.count {
                XCTAssertEqual(feed(input, cuts: [cut]).result, .failed(expected), "\(name) cut at \(cut)")
            }
        }
    }

    func testTruncatedHeadersWaitForMore() {
        for (name, header, _) in validCases {
            for length in [1, header.count / 2, header.count - 1] {
                let (consumed, result) = parse(Array(header.prefix(length)))
                XCTAssertEqual(result, .needMore, "\(name) truncated to \(length)")
                XCTAssertEqual(consumed, length, name)
            }
        }
    }

    private var invalidCases: [(String, [UInt8], ProxyHeaderFailure)] {
        let longUnknown = "PROXY UNKNOWN " + String(repeating: "x", count: 107 - 16)
        var badSignature = Self.v2(family: 0x11, payload: Self.ipv4Payload)
        badSignature[6] = 0x0B
        return [
            ("plain HTTP", Array("GET / HTTP/1.1\r\nHost: a\r\n\r\n".utf8), .missing),
            ("TLS hello", [0x16, 0x03, 0x01, 0x00], .missing),
            ("PROXY misspelt", Array("PROXX TCP4 1.2.3.4 5.6.7.8 1 2\r\n".utf8), .missing),
            ("lowercase proxy", Array("proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n".utf8), .missing),
            ("v2 signature broken", badSignature, .missing),
            ("v1 108 bytes", Array((longUnknown + "y\r\n").utf8), .tooLong),
            ("v1 without CRLF", Array(String(repeating: "PROXY UNKNOWN ", count: 10).utf8), .tooLong),
            ("v1 bare LF", Array("PROXY UNKNOWN\n".utf8), .malformed),
            ("v1 CR inside", Array("PROXY UNK\rNOWN\r\n".utf8), .malformed),
            ("v1 control byte", Array("PROXY TCP4 1.2.3.4\t5.6.7.8 1 2\r\n".utf8), .malformed),
            ("v1 unknown protocol", Array("PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n".utf8), .malformed),
            ("v1 missing port", Array("PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n".utf8), .malformed),
            ("v1 extra field", Array("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n".utf8), .malformed),
            ("v1 two spaces", Array("PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n".utf8), .malformed),
            ("v1 port over 65535", Array("PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n".utf8), .malformed),
            ("v1 IPv6 under TCP4", Array("PROXY TCP4 ::1 ::2 1 2\r\n".utf8), .malformed),
            ("v1 IPv4 under TCP6", Array("PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n".utf8), .malformed),
            ("v1 bad address", Array("PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n".utf8), .malformed),
            ("v1 nothing after PROXY", Array("PROXY \r\n".utf8), .malformed),
            ("v2 version 1", Self.signature + [0x11, 0x11, 0, 12] + Self.ipv4Payload, .malformed),
            ("v2 command 2", Self.signature + [0x22, 0x11, 0, 12] + Self.ipv4Payload, .malformed),
            ("v2 family 4", Self.v2(family: 0x41, payload: Self.ipv4Payload), .malformed),
            ("v2 transport 3", Self.v2(family: 0x13, payload: Self.ipv4Payload), .malformed),
            ("v2 UDP", Self.v2(family: 0x12, payload: Self.ipv4Payload), .malformed),
            ("v2 IPv4 too short", Self.v2(family: 0x11, payload: Array(Self.ipv4Payload.prefix(8))), .malformed),
            ("v2 IPv6 too short", Self.v2(family: 0x21, payload: Self.ipv4Payload), .malformed),
            ("v2 over the bound", Self.v2(family: 0x11, payload: Self.ipv4Payload, length: 2049), .tooLong),
        ]
    }

    func testInvalidHeadersFail() {
        for (name, input, expected) in invalidCases {
            XCTAssertEqual(parse(input).result, .failed(expected), name)
        }
        // The verdict comes as soon as the bytes rule the header out: plain HTTP at its first byte.
        XCTAssertEqual(parse(Array("G".utf8)).result, .failed(.missing))
        XCTAssertEqual(parse(Self.v2(family: 0x11, payload: [], length: 4000)).result, .failed(.tooLong), "refused before the payload arrives")
    }

    func testV1OfExactly107BytesIsAccepted() {
        let line = "PROXY UNKNOWN " + String(repeating: "x", count: 107 - 16) + "\r\n"
        XCTAssertEqual(line.utf8.count, 107)
        XCTAssertEqual(parse(Array(line.utf8)).result, .done(.local))
    }
}
