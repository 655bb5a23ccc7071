import Dispatch
import FlashSaleLoop
import Synchronization
import XCTest

/// Echoes what it reads, then closes on EOF.
private final class EchoDelegate: TCPConnectionDelegate {
    func tcpConnection(_ connection: TCPConnection, didRead bytes: UnsafeRawBufferPointer) {
        connection.send(contentsOf: bytes)
    }
    func tcpConnection(_ connection: TCPConnection, readEndedWith error: TCPError?) { connection.close() }
}

/// Collects what it reads and signals once `expected` bytes arrived or the connection closed.
private final class CollectDelegate: TCPConnectionDelegate {
    var received: [UInt8] = []
    let expected: Int
    let done: @Sendable ([UInt8]) -> Void
    var finished = false
    init(expected: Int, done: @escaping @Sendable ([UInt8]) -> Void) {
        self.expected = expected
        self.done = done
    }
    func tcpConnection(_ connection: TCPConnection, didRead bytes: UnsafeRawBufferPointer) {
        received.append(contentsOf: bytes)
        if received.count >= expected { finish(connection) }
    }
    func tcpConnection(_ connection: TCPConnection, readEndedWith error: TCPError?) { finish(connection) }
    private func finish(_ connection: TCPConnection) {
        guard !finished else { return }
        finished = true
        done(received)
        connection.close()
    }
}

final class TCPTests: XCTestCase {
    func testEchoOverListenerAndConnect() throws {
        let loop = EventLoop.startThread()
        defer { loop.stop(); loop.join() }
        let port = Mutex<Int>(0)
        let ready = DispatchSemaphore(value: 0)
        loop.execute {
            let listener = try? TCPListener(loop: loop, host: "127.0.0.1", port: 0, reusePort: true) { conn in
                conn.setNoDelay(true)
                conn.delegate = EchoDelegate()
                conn.startReading()
            }
            port.withLock { $0 = listener?.localPort ?? -1 }
            ready.signal()
        }
        ready.wait()
        let listenPort = port.withLock { $0 }
        XCTAssertGreaterThan(listenPort, 0)

        // A large payload forces the queued (uv_write) path after uv_try_write.
        let payload = (0..<2_000_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        let result = Mutex<[UInt8]?>(nil)
        let got = DispatchSemaphore(value: 0)
        loop.execute {
            TCPConnection.connect(on: loop, host: "127.0.0.1", port: listenPort) { outcome in
                guard case .success(let conn) = outcome else {
                    got.signal()
                    return
                }
                XCTAssertNotNil(conn.remoteAddress())
                conn.delegate = CollectDelegate(expected: payload.count) { bytes in
                    result.withLock { $0 = bytes }
                    got.signal()
                }
                conn.startReading()
                conn.send(payload)
            }
        }
        XCTAssertEqual(got.wait(timeout: .now() + 20), .success)
        let echoed = result.withLock { $0 }
        XCTAssertEqual(echoed?.count, payload.count)
        XCTAssertTrue(echoed == payload)
    }

    func testConnectRefusedReportsError() throws {
        let loop = EventLoop.startThread()
        defer { loop.stop(); loop.join() }
        // Bind then close a listener to find a port nobody listens on.
        let port = Mutex<Int>(0)
        let outcome = Mutex<TCPError?>(nil)
        let done = DispatchSemaphore(value: 0)
        loop.execute {
            let probe = try? TCPListener(loop: loop, host: "127.0.0.1", port: 0) { _ in }
            port.withLock { $0 = probe?.localPort ?? 1 }
            probe?.close()
            TCPConnection.connect(on: loop, host: "127.0.0.1", port: port.withLock { $0 }) { result in
                if case .failure(let error) = result { outcome.withLock { $0 = error } }
                done.signal()
            }
        }
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
        XCTAssertEqual(outcome.withLock { $0?.isConnectionRefused }, true)
    }

    func testReusePortLetsTwoLoopsBindOnePort() throws {
        let a = EventLoop.startThread()
        let b = EventLoop.startThread()
        defer { a.stop(); b.stop(); a.join(); b.join() }
        let port = Mutex<Int>(0)
        let second = Mutex<String>("")
        let done = DispatchSemaphore(value: 0)
        a.execute {
            let l = try? TCPListener(loop: a, host: "127.0.0.1", port: 0, reusePort: true) { $0.close() }
            port.withLock { $0 = l?.localPort ?? 0 }
            b.execute {
                do {
                    let l2 = try TCPListener(loop: b, host: "127.0.0.1", port: port.withLock { $0 }, reusePort: true) { $0.close() }
                    second.withLock { $0 = "ok \(l2.localPort)" }
                } catch {
                    second.withLock { $0 = "\(error)" }
                }
                done.signal()
            }
        }
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
        XCTAssertEqual(second.withLock { $0 }, "ok \(port.withLock { $0 })")
        // Without SO_REUSEPORT the same bind fails with EADDRINUSE.
        let third = Mutex<TCPError?>(nil)
        let done2 = DispatchSemaphore(value: 0)
        b.execute {
            do {
                _ = try TCPListener(loop: b, host: "127.0.0.1", port: port.withLock { $0 }) { $0.close() }
            } catch {
                third.withLock { $0 = error as? TCPError }
            }
            done2.signal()
        }
        XCTAssertEqual(done2.wait(timeout: .now() + 10), .success)
        XCTAssertEqual(third.withLock { $0?.isAddressInUse }, true)
    }
}
