import FlashSaleHTTP
import XCTest

/// The parser is incremental: the same bytes delivered in any pieces give
/// the same responses and the same verdict (closing or not) as delivered whole.
final class SplitAnywhereTests: XCTestCase {
    /// Inputs: every corpus case, each followed by a health check (it must
    /// be served exactly when the case keeps the connection), and valid
    /// pipelined sequences.
    private static let inputs: [(name: String, bytes: [UInt8])] = {
        let next = Array("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n".utf8)
        var inputs = malformedCorpus.map { ($0.name, $0.request + next) }
        let body = #"{"sku":"s1","qty":1}"#
        inputs.append(("pipelined mix", Array((
            "GET /echo/one HTTP/1.1\r\nHost: t\r\n\r\n"
                + "POST /v1/sales/s1/purchases HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
                + "POST /v1/sales/s2/purchases HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\n{\"s\r\n1\r\n}\r\n0\r\nT: v\r\n\r\n"
                + "HEAD /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
                + "GET /echo/two HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                + "GET /echo/three HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
                + "GET /echo/ignored HTTP/1.1\r\nHost: t\r\n\r\n").utf8)))
        return inputs
    }()

    /// Feeds `bytes` cut at `cuts` (sorted offsets) and returns the output
    /// without the Date lines (they may differ by a second) and the verdict.
    private func run(_ bytes: [UInt8], cuts: [Int]) -> (output: String, closing: Bool) {
        let connection = HTTPInMemoryConnection(router: testRouter(loop: nil))
        var start = 0
        for cut in cuts + [bytes.count] where cut >= start {
            bytes[start..<cut].withUnsafeBytes { connection.receive($0) }
            start = cut
        }
        let text = String(decoding: connection.output, as: UTF8.self)
            .split(separator: "\r\n", omittingEmptySubsequences: false)
            .filter { !$0.hasPrefix("Date: ") }
            .joined(separator: "\r\n")
        return (text, connection.isClosing)
    }

    func testEverySingleSplitPointGivesTheWholeInputsAnswer() {
        for (name, bytes) in Self.inputs {
            let whole = run(bytes, cuts: [])
            XCTAssertFalse(whole.output.isEmpty, name)
            // Every cut for small inputs; a spread of cuts for the large ones.
            let step = bytes.count <= 1500 ? 1 : bytes.count / 300
            for cut in stride(from: 1, to: bytes.count, by: step) {
                let split = run(bytes, cuts: [cut])
                if split.output != whole.output || split.closing != whole.closing {
                    XCTFail("\(name): split at \(cut) differs:\n\(split.output)\n--- whole:\n\(whole.output)")
                    break
                }
            }
        }
    }

    func testTwoRandomSplitsAndOneByteAtATimeGiveTheWholeInputsAnswer() {
        var generator = SplitMix64(seed: 0x5EED_1234)
        for (name, bytes) in Self.inputs where bytes.count > 2 {
            let whole = run(bytes, cuts: [])
            for _ in 0..<40 {
                let a = Int(generator.next() % UInt64(bytes.count))
                let b = Int(generator.next() % UInt64(bytes.count))
                let split = run(bytes, cuts: [min(a, b), max(a, b)])
                if split.output != whole.output || split.closing != whole.closing {
                    XCTFail("\(name): splits at \(min(a, b)), \(max(a, b)) differ")
                    break
                }
            }
            if bytes.count <= 4000 {
                let bytewise = run(bytes, cuts: Array(1..<bytes.count))
                XCTAssertEqual(bytewise.output, whole.output, "\(name): one byte at a time")
                XCTAssertEqual(bytewise.closing, whole.closing, "\(name): one byte at a time")
            }
        }
    }

    func testPipelinedMixIsAnsweredInOrderAndStopsAfterConnectionClose() {
        let (output, closing) = run(Self.inputs.last!.bytes, cuts: [])
        let statuses = output.components(separatedBy: "HTTP/1.1 ").dropFirst().map { $0.prefix(3) }
        XCTAssertEqual(statuses, ["200", "201", "201", "200", "200", "200"], output)
        XCTAssertTrue(output.contains("sale=s2 body={\"s}"), output)  // de-chunked
        XCTAssertTrue(output.hasSuffix("Connection: close\r\n\r\nthree"), output)
        XCTAssertFalse(output.contains("ignored"))
        XCTAssertTrue(closing)
    }

    func testExpectContinueIsAnsweredOnceBeforeTheBodyAndNeverBeforeARefusal() {
        let connection = HTTPInMemoryConnection(router: testRouter(loop: nil))
        let head = "POST /v1/sales/s1/purchases HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n"
        connection.receive(Array(head.utf8))
        XCTAssertEqual(String(decoding: connection.output, as: UTF8.self), "HTTP/1.1 100 Continue\r\n\r\n")
        connection.clearOutput()
        connection.receive(Array("{}".utf8))
        let answer = String(decoding: connection.output, as: UTF8.self)
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 201 Created\r\n"), answer)
        XCTAssertFalse(answer.contains("100 Continue"))

        let refused = HTTPInMemoryConnection(router: testRouter(loop: nil))
        refused.receive(Array("POST /v1/sales/s1/purchases HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 100000\r\nExpect: 100-continue\r\n\r\n".utf8))
        let refusal = String(decoding: refused.output, as: UTF8.self)
        XCTAssertTrue(refusal.hasPrefix("HTTP/1.1 413 Content Too Large\r\n"), refusal)
        XCTAssertFalse(refusal.contains("100 Continue"))
        XCTAssertTrue(refused.isClosing)
    }
}

/// A small deterministic generator (the tests' splits are reproducible).
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
