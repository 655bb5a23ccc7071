import TestSupport
import XCTest

/// Checks the shared test helpers against a real redis-server.
final class TestSupportTests: XCTestCase {
    func testRedisServerStartsAnswersAndRestartsWithAOF() throws {
        let server = try RedisServerProcess(appendOnly: true, appendFsync: "always")
        let client = try server.client()
        XCTAssertEqual(try client.command("SET", "k", "42"), .status("OK"))
        XCTAssertEqual(try client.command("GET", "k"), .bulk("42"))
        XCTAssertEqual(try client.eval("return redis.call('INCRBY', KEYS[1], ARGV[1])", keys: ["k"], args: ["8"]).int, 50)
        let replies = try client.pipeline([["INCR", "n"], ["INCR", "n"], ["HSET", "h", "a", "1"], ["HGETALL", "h"]])
        XCTAssertEqual(replies[1].int, 2)
        XCTAssertEqual(replies[3].hash, ["a": "1"])
        server.kill9()
        XCTAssertThrowsError(try client.command("PING"))
        try server.restart()
        XCTAssertEqual(try server.client().command("GET", "k"), .bulk("50"))
    }
}
