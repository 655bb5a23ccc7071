import FlashSaleRedis
import TestSupport
import XCTest

/// The pure slot arithmetic: CRC16, hash tags, `CLUSTER SLOTS` and redirect parsing.
final class ClusterSlotTests: XCTestCase {
    private func crc(_ text: String) -> UInt16 {
        Array(text.utf8).withUnsafeBytes { RedisSlot.crc16($0) }
    }

    func testCRC16IsTheXMODEMVariant() {
        XCTAssertEqual(crc("123456789"), 0x31C3)
        XCTAssertEqual(crc(""), 0)
        XCTAssertEqual(RedisSlot(key: "123456789").value, 0x31C3 & 16383)
    }

    func testKnownSlots() {
        // Values from `redis-cli CLUSTER KEYSLOT`.
        XCTAssertEqual(RedisSlot(key: "foo").value, 12182)
        XCTAssertEqual(RedisSlot(key: "bar").value, 5061)
        XCTAssertEqual(RedisSlot(key: "fs:sales").value, RedisSlot(key: "fs:sales").value)
    }

    func testHashTagsFollowTheSpecification() {
        XCTAssertEqual(RedisSlot(key: "{user1000}.following"), RedisSlot(key: "{user1000}.followers"))
        XCTAssertEqual(RedisSlot(key: "{user1000}.following"), RedisSlot(key: "user1000"))
        // The first { and the first } after it: "foo{{bar}}zap" hashes "{bar".
        XCTAssertEqual(RedisSlot(key: "foo{{bar}}zap"), RedisSlot(key: "{bar"))
        XCTAssertEqual(RedisSlot(key: "foo{bar}{zap}"), RedisSlot(key: "bar"))
        // An empty tag hashes the whole key; so does a { without a }.
        XCTAssertNotEqual(RedisSlot(key: "foo{}{bar}"), RedisSlot(key: "bar"))
        XCTAssertEqual(RedisSlot(key: "foo{}{bar}").value, Int(crc("foo{}{bar}") & 16383))
        XCTAssertEqual(RedisSlot(key: "foo{bar").value, Int(crc("foo{bar") & 16383))
        // Every key of a sale shares the slot of its tag.
        XCTAssertEqual(RedisSlot(key: "fs:{launch}:sale"), RedisSlot(key: "fs:{launch}:order:abc"))
        XCTAssertEqual(RedisSlot(key: "fs:{launch}:sale"), RedisSlot(key: "launch"))
    }

    func testSlotNumbersAreBounded() {
        XCTAssertNil(RedisSlot(16384))
        XCTAssertNil(RedisSlot(-1))
        XCTAssertEqual(RedisSlot(16383)?.value, 16383)
    }

    func testParsesClusterSlots() throws {
        func node(_ host: String, _ port: Int64) -> RedisValue { .array([.bulk(host), .integer(port), .bulk("id")]) }
        let reply = RedisValue.array([
            .array([.integer(0), .integer(5460), node("10.0.0.1", 7000), node("10.0.0.4", 7003)]),
            .array([.integer(5461), .integer(10922), node("", 7001)]),
            .array([.integer(10923), .integer(16383), node("10.0.0.1", 7000)]),
        ])
        let seed = RedisEndpoint(host: "10.0.0.9", port: 7005, password: "pw")
        let map = try ClusterSlotMap(slotsReply: reply, answeredBy: seed)
        XCTAssertTrue(map.isComplete)
        XCTAssertEqual(map.masters.map(\.port), [7000, 7001])
        XCTAssertEqual(map.masters[1].host, "10.0.0.9", "an empty host is the answering node's")
        XCTAssertEqual(map.masters[0].password, "pw", "credentials come from the seed")
        XCTAssertEqual(map.master(of: RedisSlot(0)!), 0)
        XCTAssertEqual(map.master(of: RedisSlot(5461)!), 1)
        XCTAssertEqual(map.master(of: RedisSlot(16383)!), 0)
        XCTAssertEqual(map.ranges(of: 0), [0...5460, 10923...16383])

        let partial = try ClusterSlotMap(slotsReply: .array([reply.elements[0]]), answeredBy: seed)
        XCTAssertFalse(partial.isComplete)
        XCTAssertNil(partial.master(of: RedisSlot(6000)!))
        XCTAssertThrowsError(try ClusterSlotMap(slotsReply: .array([.array([.integer(9), .integer(3), node("h", 1)])]), answeredBy: seed))
        XCTAssertThrowsError(try ClusterSlotMap(slotsReply: .status("OK"), answeredBy: seed))
    }

    func testParsesRedirects() throws {
        let moved = try XCTUnwrap(ClusterRedirect(errorMessage: "MOVED 3999 127.0.0.1:6381"))
        XCTAssertEqual(moved.kind, .moved)
        XCTAssertEqual(moved.slot.value, 3999)
        XCTAssertEqual(moved.endpoint(answeredBy: RedisEndpoint(host: "x", port: 1)), RedisEndpoint(host: "127.0.0.1", port: 6381))
        let ask = try XCTUnwrap(ClusterRedirect(errorMessage: "ASK 12 ::1:7002"))
        XCTAssertEqual(ask.kind, .ask)
        XCTAssertEqual(ask.host, "::1")
        XCTAssertEqual(ask.port, 7002)
        let unknownHost = try XCTUnwrap(ClusterRedirect(errorMessage: "MOVED 1 :7002"))
        XCTAssertEqual(unknownHost.endpoint(answeredBy: RedisEndpoint(host: "10.1.1.1", port: 7000)).host, "10.1.1.1")
        XCTAssertNil(ClusterRedirect(errorMessage: "ERR wrong number of arguments"))
        XCTAssertNil(ClusterRedirect(errorMessage: "MOVED 99999 h:1"))
        XCTAssertNil(ClusterRedirect(errorMessage: "MOVED 1 h:0"))
    }

    func testSeedLists() throws {
        let seeds = try RedisEndpoint.seedList("redis://h1:7000, redis://:secret@h2:7001")
        XCTAssertEqual(seeds.map(\.port), [7000, 7001])
        XCTAssertEqual(seeds[1].password, "secret")
        XCTAssertThrowsError(try RedisEndpoint.seedList("redis://h1:7000,,redis://h2:1"))
        XCTAssertThrowsError(try RedisEndpoint.seedList(""))
        XCTAssertThrowsError(try RedisEndpoint.seedList("redis://h1:7000,redis://u:hunter2@h2:99999")) { error in
            XCTAssertFalse("\(error)".contains("hunter2"), "\(error)")
        }
        // A comma inside a password stays in its URL.
        let comma = try RedisEndpoint.seedList("redis://:a,b@h1:7000, redis://h2:7001")
        XCTAssertEqual(comma.map(\.password), ["a,b", nil])
        XCTAssertEqual(RedisEndpoint.redacted("redis://h2:2,redis://u:pw,x@h:1"), "redis://h2:2,redis://***@h:1")
        XCTAssertEqual(RedisEndpoint.redacted("redis://a:pw@h:1,redis://h2:2"), "redis://***@h:1,redis://h2:2")
    }

    /// Our slot equals `CLUSTER KEYSLOT` of a real cluster-enabled node.
    func testSlotsMatchARealNode() throws {
        let server = try RedisServerProcess(
            extraArgs: ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"], port: RedisClusterProcess.portWithFreeBus())
        let redis = try server.client()
        var random = SeededRandom(seed: 11)
        var keys = ["foo", "fs:{launch}:sale", "fs:sales", "fs:audit", "fs:node:n1/0", "{}", "a{b}c", "x{}y{z}"]
        for _ in 0..<200 {
            let length = Int(random.next() % 24) + 1
            keys.append(String((0..<length).map { _ in "ab{}:xyz019-_".randomElement(using: &random)! }))
        }
        for key in keys {
            XCTAssertEqual(Int64(RedisSlot(key: key).value), try redis.command("CLUSTER", "KEYSLOT", key).int, key)
        }
    }
}
