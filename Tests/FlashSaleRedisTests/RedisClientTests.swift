import FlashSaleLoop
import FlashSaleRedis
import Foundation
import TestSupport
import XCTest
import FlashSaleWorker

final class RedisClientTests: XCTestCase {
    func testCommandsRepliesAndErrorReplies() throws {
        let redis = try RedisServerProcess()
        let fixture = ClientFixture(testConfiguration(port: redis.port))
        defer { fixture.close() }
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { fixture.health == .up })
        XCTAssertEqual(try fixture.call(["SET", "k", "v 1"])?.get(), .status("OK"))
        XCTAssertEqual(try fixture.call(["GET", "k"])?.get(), .bulk("v 1"))
        XCTAssertEqual(try fixture.call(["GET", "missing"])?.get(), .null)
        XCTAssertEqual(try fixture.call(["INCRBY", "n", "5"])?.get(), .integer(5))
        XCTAssertEqual(try fixture.call(["RPUSH", "l", "a", "", "c"])?.get(), .integer(3))
        XCTAssertEqual(try fixture.call(["LRANGE", "l", "0", "-1"])?.get(), .array([.bulk("a"), .bulk(""), .bulk("c")]))
        guard case .failure(.server(let message))? = fixture.call(["INCR", "k"]) else {
            return XCTFail("an error reply must fail the command")
        }
        XCTAssertTrue(message.hasPrefix("ERR"), message)
    }

    func testRefusedAtStartRetriesAndComesUpWhenRedisAppears() throws {
        let port = freeLoopbackPort()
        let fixture = ClientFixture(testConfiguration(port: port))
        defer { fixture.close() }
        XCTAssertTrue(waitUntil(timeoutSeconds: 3) { fixture.counters.connectAttempts >= 3 })
        XCTAssertNotEqual(fixture.health, .up)
        let why = fixture.lastError
        XCTAssertTrue(why.contains("refused") && why.contains("127.0.0.1:\(port)"), why)
        guard case .failure(.notConnected(let reported))? = fixture.call(["PING"]) else {
            return XCTFail("commands must be rejected while not connected")
        }
        XCTAssertTrue(reported.contains("refused"), reported)

        let redis = try RedisServerProcess(port: port)
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { fixture.health == .up }, fixture.lastError)
        XCTAssertEqual(try fixture.call(["PING"])?.get(), .status("PONG"))
        _ = redis
    }

    func testRedisKilledFailsPendingCommandsThenReconnects() throws {
        let redis = try RedisServerProcess()
        var configuration = testConfiguration(port: redis.port)
        configuration.commandTimeoutMillis = 10_000  // only the kill may fail these
        let fixture = ClientFixture(configuration)
        defer { fixture.close() }
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { fixture.health == .up })

        let transitions = LoopOwned<[StoreHealth]>([])
        fixture.with { client in client.onHealthChange = { health, _ in transitions.value.append(health) } }

        // Commands that are still in flight when Redis dies: blocking pops.
        let log = CompletionLog()
        fixture.with { client in
            for tag in 0..<20 {
                client.send(["BLPOP", "never-\(tag)", "0"]) { log.record(tag, $0) }
            }
        }
        XCTAssertTrue(waitUntil(timeoutSeconds: 3) {
            (try? redis.client().command("INFO", "clients").string?.contains("blocked_clients:1")) == true
        })
        redis.kill9()
        XCTAssertTrue(waitUntil(timeoutSeconds: 3) { log.count == 20 }, "pending commands must fail, not hang")
        for tag in 0..<20 {
            let results = log.results(for: tag)
            XCTAssertEqual(results.count, 1, "completion \(tag) must run exactly once")
            guard case .failure(.connectionLost)? = results.first else { return XCTFail("\(results)") }
        }
        XCTAssertNotEqual(fixture.health, .up)
        guard case .failure(.notConnected)? = fixture.call(["PING"]) else { return XCTFail("down must reject") }

        try redis.restart()
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { fixture.health == .up }, fixture.lastError)
        XCTAssertEqual(try fixture.call(["PING"])?.get(), .status("PONG"))
        XCTAssertEqual(fixture.counters.connectionsUp, 2)
        let seen = fixture.with { _ in transitions.value }
        XCTAssertTrue(seen.contains(.down) && seen.last == .up, "\(seen)")
        Thread.sleep(forTimeInterval: 0.2)
        XCTAssertEqual(log.count, 20, "no completion may run twice")
    }

    func testPausedRedisTimesOutBoundsInFlightAndRecovers() throws {
        let redis = try RedisServerProcess()
        var configuration = testConfiguration(port: redis.port)
        configuration.maxInFlight = 50
        configuration.commandTimeoutMillis = 300
        let fixture = ClientFixture(configuration)
        defer {
            redis.resume()
            fixture.close()
        }
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { fixture.health == .up })

        redis.pause()
        let log = CompletionLog()
        let rejectedAtOnce = fixture.with { client -> Int in
            var rejected = 0
            for tag in 0..<60 {
                var synchronous = true
                client.send(["INCR", "n"]) { result in
                    if synchronous, case .failure(.overloaded) = result { rejected += 1 }
                    log.record(tag, result)
                }
                synchronous = false
            }
            return rejected
        }
        XCTAssertEqual(rejectedAtOnce, 10, "commands beyond maxInFlight are rejected at once")
        XCTAssertTrue(waitUntil(timeoutSeconds: 3) { log.count == 60 }, "timeouts must complete every command")
        for tag in 0..<50 {
            let results = log.results(for: tag)
            XCTAssertEqual(results.count, 1)
            guard case .failure(.timeout)? = results.first else { return XCTFail("\(tag): \(results)") }
        }
        XCTAssertTrue(waitUntil(timeoutSeconds: 2) { fixture.health != .up })
        XCTAssertGreaterThanOrEqual(fixture.counters.timeouts, 50)
        // While paused, reconnects time out in the handshake and the client stays down.
        Thread.sleep(forTimeInterval: 1.0)
        XCTAssertNotEqual(fixture.health, .up)
        XCTAssertGreaterThan(fixture.counters.connectAttempts, 2)
        XCTAssertLessThanOrEqual(fixture.with { $0.inFlight }, 50)

        redis.resume()
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { fixture.health == .up }, fixture.lastError)
        XCTAssertEqual(try fixture.call(["PING"])?.get(), .status("PONG"))
    }

    func testScriptsLoadOnceAndFallBackOnNOSCRIPT() throws {
        let redis = try RedisServerProcess()
        let script = RedisScript(name: "echo-sum", source: "return tonumber(ARGV[1]) + tonumber(redis.call('GET', KEYS[1]) or '0')")
        let fixture = ClientFixture(testConfiguration(port: redis.port, scripts: [script]))
        defer { fixture.close() }
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { fixture.health == .up })
        XCTAssertNotNil(fixture.with { $0.loadedSHA(of: script) }, "scripts are loaded before the client is up")

        func run(_ arg: String) -> Result<RedisValue, RedisError>? {
            let done = DispatchSemaphore(value: 0)
            let out = LoopOwned<Result<RedisValue, RedisError>?>(nil)
            fixture.with { client in
                client.evalScript(script, keys: ["base"], args: [arg]) { out.value = $0; done.signal() }
            }
            _ = done.wait(timeout: .now() + 5)
            return out.value
        }
        _ = try redis.client().command("SET", "base", "10")
        XCTAssertEqual(try run("5")?.get(), .integer(15))
        XCTAssertEqual(fixture.counters.noscriptFallbacks, 0)

        _ = try redis.client().command("SCRIPT", "FLUSH")
        XCTAssertEqual(try run("7")?.get(), .integer(17))
        XCTAssertEqual(fixture.counters.noscriptFallbacks, 1)
        // EVAL cached it again: EVALSHA works without another fallback.
        XCTAssertEqual(try run("1")?.get(), .integer(11))
        XCTAssertEqual(fixture.counters.noscriptFallbacks, 1)

        // A script error is a server error for that call only.
        let broken = RedisScript(name: "broken", source: "return redis.error_reply('BROKEN on purpose')")
        let done = DispatchSemaphore(value: 0)
        let out = LoopOwned<Result<RedisValue, RedisError>?>(nil)
        fixture.with { $0.evalScript(broken, keys: [], args: []) { out.value = $0; done.signal() } }
        _ = done.wait(timeout: .now() + 5)
        XCTAssertEqual(out.value, .failure(.server("BROKEN on purpose")))
        XCTAssertEqual(fixture.health, .up)
    }

    func testCloseFailsPendingCommandsOnce() throws {
        let redis = try RedisServerProcess()
        var configuration = testConfiguration(port: redis.port)
        configuration.commandTimeoutMillis = 10_000
        let fixture = ClientFixture(configuration)
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { fixture.health == .up })
        let log = CompletionLog()
        fixture.with { client in
            // Closing from inside a completion is deferred out of the hiredis callback.
            client.send(["PING"]) { result in
                log.record(99, result)
                client.close()
            }
            // Queued behind the PING in the same write; still in flight at close.
            for tag in 0..<5 { client.send(["BLPOP", "never", "0"]) { log.record(tag, $0) } }
        }
        XCTAssertTrue(waitUntil(timeoutSeconds: 3) { log.count == 6 })
        XCTAssertEqual(log.results(for: 99).first, .success(.status("PONG")))
        for tag in 0..<5 { XCTAssertEqual(log.results(for: tag), [.failure(.closed)]) }
        XCTAssertEqual(fixture.health, .closed)
        XCTAssertEqual(fixture.call(["PING"]), .failure(.closed))
        fixture.fixture.shutdown()
    }

    func testLoopShutdownWithTheClientOpenClosesItThroughItsHook() throws {
        let redis = try RedisServerProcess()
        var configuration = testConfiguration(port: redis.port)
        configuration.commandTimeoutMillis = 10_000
        let fixture = ClientFixture(configuration)
        XCTAssertTrue(waitUntil(timeoutSeconds: 5) { fixture.health == .up })
        let log = CompletionLog()
        fixture.with { client in
            for tag in 0..<3 { client.send(["BLPOP", "never", "0"]) { log.record(tag, $0) } }
        }
        XCTAssertTrue(waitUntil(timeoutSeconds: 3) {
            (try? redis.client().command("CLIENT", "LIST").string?.contains("cmd=blpop")) == true
        }, "the commands reached the server")
        // The loop stops with the client (and the adapter's poll handle) still open:
        // its close hook closes the client the hiredis way, so every command completes
        // once, the connection is released and nothing is closed behind the adapter's back.
        fixture.fixture.shutdown()
        XCTAssertEqual(log.count, 3)
        for tag in 0..<3 { XCTAssertEqual(log.results(for: tag), [.failure(.closed)]) }
        XCTAssertEqual(fixture.health, .closed)
        XCTAssertTrue(waitUntil(timeoutSeconds: 3) {
            (try? redis.client().command("CLIENT", "LIST").string?.contains("cmd=blpop")) == false
        }, "the server saw the connection go")
    }
}
