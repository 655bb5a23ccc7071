import FlashSaleRedis
import XCTest

final class RedisEndpointTests: XCTestCase {
    func testParsesHostPortAndDefaults() throws {
        XCTAssertEqual(try RedisEndpoint(url: "redis://127.0.0.1:6390"), RedisEndpoint(host: "127.0.0.1", port: 6390))
        XCTAssertEqual(try RedisEndpoint(url: "redis://cache.local"), RedisEndpoint(host: "cache.local", port: 6379))
        XCTAssertEqual(try RedisEndpoint(url: "redis://[::1]:7000/2"), RedisEndpoint(host: "::1", port: 7000, database: 2))
        XCTAssertEqual(
            try RedisEndpoint(url: "redis://ops:s3cret@10.0.0.5:6379/1"),
            RedisEndpoint(host: "10.0.0.5", port: 6379, database: 1, user: "ops", password: "s3cret"))
        XCTAssertEqual(try RedisEndpoint(url: "redis://:pw@h:1").password, "pw")
        XCTAssertNil(try RedisEndpoint(url: "redis://:pw@h:1").user)
    }

    func testRejectsBadURLsWithAReason() {
        for bad in ["http://x:1", "redis://", "redis://h:0", "redis://h:70000", "redis://h:abc", "redis://h:1/x", "redis://[::1"] {
            XCTAssertThrowsError(try RedisEndpoint(url: bad), bad) { error in
                guard case RedisError.invalidURL(let why) = error else { return XCTFail("\(error)") }
                XCTAssertTrue(why.contains(bad), why)
            }
        }
    }

    func testDescriptionHidesThePassword() throws {
        let text = try RedisEndpoint(url: "redis://u:topsecret@h:1").description
        XCTAssertFalse(text.contains("topsecret"))
        XCTAssertEqual(text, "redis://u:***@h:1")
    }

    func testRESPEncoding() {
        let command = RESPCommand(["SET", "k", "héllo"])
        XCTAssertEqual(String(decoding: command.bytes, as: UTF8.self), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$6\r\nhéllo\r\n")
        let script = RESPCommand(head: ["EVALSHA", "abc", "1"], keys: ["k"], args: ["", "10"])
        XCTAssertEqual(
            String(decoding: script.bytes, as: UTF8.self),
            "*6\r\n$7\r\nEVALSHA\r\n$3\r\nabc\r\n$1\r\n1\r\n$1\r\nk\r\n$0\r\n\r\n$2\r\n10\r\n")
    }
}
