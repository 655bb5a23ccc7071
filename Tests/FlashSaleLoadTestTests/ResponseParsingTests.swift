import FlashSaleHTTP
import FlashSaleClient
import XCTest
@testable import FlashSaleLoadTest

final class ResponseParsingTests: XCTestCase {
    private func parse(_ chunks: [String], capture: Bool = true) -> (ok: Bool, answers: [(Int, String)], close: Bool) {
        var parser = HTTPResponseParser()
        parser.captureBody = capture
        var answers: [(Int, String)] = []
        var ok = true
        for chunk in chunks where ok {
            var bytes = Array(chunk.utf8)
            ok = bytes.withUnsafeMutableBytes { raw in
                parser.feed(UnsafeRawBufferPointer(raw)) { status, body in
                    answers.append((status, String(decoding: body, as: UTF8.self)))
                }
            }
            bytes.removeAll()
        }
        return (ok, answers, parser.closeAfterResponse)
    }

    func testWholeAndPipelinedResponses() {
        let one = "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 20\r\n\r\n{\"order_id\":\"o-1\"}\r\n"
        let two = "HTTP/1.1 409 Conflict\r\ncontent-length: 42\r\n\r\n{\"error\":{\"code\":\"sold_out\",\"message\":\"\"}}"
        let result = parse([one + two])
        XCTAssertTrue(result.ok)
        XCTAssertEqual(result.answers.map(\.0), [201, 409])
        XCTAssertEqual(result.answers[0].1, "{\"order_id\":\"o-1\"}\r\n")
        XCTAssertFalse(result.close)
    }

    func testByteByByteDelivery() {
        let text = "HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 11\r\nConnection: close\r\n\r\n{\"ok\":true}"
        let result = parse(text.map { String($0) })
        XCTAssertTrue(result.ok)
        XCTAssertEqual(result.answers.count, 1)
        XCTAssertEqual(result.answers[0].0, 200)
        XCTAssertEqual(result.answers[0].1, "{\"ok\":true}")
        XCTAssertTrue(result.close)
    }

    func testBodyNotCapturedUnlessAsked() {
        let result = parse(["HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"], capture: false)
        XCTAssertEqual(result.answers.first?.1, "")
    }

    func testMalformedAndUnsupported() {
        XCTAssertFalse(parse(["HTTX/1.1 200 OK\r\n\r\n"]).ok)
        XCTAssertFalse(parse(["HTTP/1.1 2x0 OK\r\n\r\n"]).ok)
        XCTAssertFalse(parse(["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"]).ok)
        XCTAssertFalse(parse(["HTTP/1.1 200 OK\r\n\r\n"]).ok, "no Content-Length on a 200")
        XCTAssertTrue(parse(["HTTP/1.1 204 No Content\r\n\r\n"]).ok)
    }

    func testBodyFieldScan() {
        let body = Array(#"{"order_id":"ord-42","status":"reserved"}"#.utf8)
        body.withUnsafeBytes { XCTAssertEqual(ResponseBodyScan.orderID(in: $0), "ord-42") }
        let error = Array(#"{"error":{"code":"limit_exceeded","message":"one per user"}}"#.utf8)
        error.withUnsafeBytes { XCTAssertEqual(ResponseBodyScan.errorCode(in: $0), .api(.limitExceeded)) }
        let other = Array(#"{"error":{"code":"teapot"}}"#.utf8)
        other.withUnsafeBytes { XCTAssertEqual(ResponseBodyScan.errorCode(in: $0), .other) }
    }

    func testRequestWriterPurchase() {
        let config = DriverConfiguration(host: "127.0.0.1", port: 8080, sale: "s1", sku: "A", scenario: .burst(users: 3, windowSeconds: 0, retryShare: 0, greedyShare: 0), keyPrefix: "run7")
        let writer = RequestWriter(configuration: config, tokens: nil)
        let buffer = ByteBuffer(capacity: 16)
        writer.writePurchase(user: 12, ordinal: 1, into: buffer)
        let text = String(decoding: buffer.bytes, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("POST /v1/sales/s1/purchases HTTP/1.1\r\n"), text)
        XCTAssertTrue(text.contains("X-User-Id: u12\r\n"), text)
        XCTAssertTrue(text.contains("Idempotency-Key: run7-12-1\r\n"), text)
        XCTAssertTrue(text.hasSuffix("\r\n\r\n{\"sku\":\"A\",\"qty\":1}"), text)
        XCTAssertTrue(text.contains("Content-Length: 19\r\n"), text)
    }
}
