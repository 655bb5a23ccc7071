import FlashSaleLoop
import Synchronization

/// Connections open across a server's workers (for the connection cap).
final class ConnectionCounter: Sendable {
    let open = Atomic<Int>(0)
}

/// One worker: an event loop's listener, connections, timers and the
/// end-of-turn flush. Loop thread only.
final class HTTPWorker {
    let loop: EventLoop?
    let configuration: HTTPServerConfiguration
    private(set) var router: HTTPRouter
    let dateLine: UnsafeMutableRawPointer
    let scratch = ByteBuffer(capacity: 1024)
    private let counter: ConnectionCounter
    private(set) var connections: [HTTPConnection] = []
    private var dirtyConnections: [HTTPConnection] = []
    private var turnHook: LoopTurnHook?
    private var tick: LoopTimer?
    private var graceTimer: LoopTimer?
    var listener: TCPListener?
    private(set) var draining = false
    private var stopped = false
    var shutdownHooks: [(@escaping () -> Void) -> Void] = []
    /// Runs on the loop thread when the worker has stopped its loop.
    var onStopped: (() -> Void)?

    init(loop: EventLoop?, configuration: HTTPServerConfiguration, counter: ConnectionCounter) {
        self.loop = loop
        self.configuration = configuration
        self.counter = counter
        router = HTTPRouter()
        dateLine = .allocate(byteCount: HTTPDate.lineLength, alignment: 8)
        refreshDate()
        if let loop {
            turnHook = LoopTurnHook(loop: loop) { [unowned self] in flushDirty() }
            let timer = LoopTimer(loop: loop)
            let every = max(10, configuration.timerResolutionMillis)
            timer.start(afterMillis: every, repeatMillis: every) { [unowned self] in sweep() }
            tick = timer
        }
    }

    deinit {
        dateLine.deallocate()
    }

    func install(router: HTTPRouter) { self.router = router }

    var now: UInt64 { loop?.nowMillis ?? 0 }

    private func refreshDate() {
        HTTPDate.writeLine(unixSeconds: EventLoop.wallClockMillis() / 1000, into: dateLine)
    }

    // MARK: Connections

    /// The answer over the connection cap. Its body is 69 bytes (a test
    /// checks `Content-Length` against it).
    static let overloaded: StaticString = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: 69\r\nRetry-After: 1\r\nConnection: close\r\n\r\n{\"error\":{\"code\":\"overloaded\",\"message\":\"too many open connections\"}}"

    /// Takes an accepted socket (or refuses it over the cap).
    func accept(_ tcp: TCPConnection) {
        if draining {
            tcp.close()
            return
        }
        if counter.open.add(1, ordering: .relaxed).newValue > configuration.maxConnections {
            counter.open.subtract(1, ordering: .relaxed)
            _ = tcp.write(UnsafeRawBufferPointer(start: HTTPWorker.overloaded.utf8Start, count: HTTPWorker.overloaded.utf8CodeUnitCount))
            tcp.close()
            return
        }
        let trusted = configuration.trustedProxies
        var peer: IPAddress?
        if !trusted.isEmpty || configuration.proxyProtocol {
            peer = tcp.remoteIPAddress() ?? .unspecified
            if configuration.proxyProtocol && !trusted.contains(peer!) {
                // A PROXY header is believed only from a trusted proxy: refuse the rest.
                counter.open.subtract(1, ordering: .relaxed)
                tcp.close()
                return
            }
        }
        let connection = HTTPConnection(worker: self, tcp: tcp)
        if let peer {
            connection.peer = peer
            connection.peerTrusted = trusted.contains(peer)
            if configuration.proxyProtocol { connection.proxyHeader = ProxyHeaderParser() }
        }
        connection.slot = connections.count
        connections.append(connection)
        tcp.delegate = connection
        if configuration.tcpNoDelay { tcp.setNoDelay(true) }
        connection.setDeadline(.header, after: configuration.headerTimeoutMillis)
        tcp.startReading()
    }

    /// Adds a socket-less connection (the in-memory harness).
    func attachInMemory(_ connection: HTTPConnection) {
        counter.open.add(1, ordering: .relaxed)
        connection.slot = connections.count
        connections.append(connection)
    }

    func connectionClosed(_ connection: HTTPConnection) {
        let index = connection.slot
        guard index >= 0, index < connections.count, connections[index] === connection else { return }
        let last = connections.removeLast()
        if index < connections.count {
            connections[index] = last
            last.slot = index
        }
        connection.slot = -1
        counter.open.subtract(1, ordering: .relaxed)
        if draining && connections.isEmpty { finishDraining() }
    }

    /// Flushes `connection` at the end of this loop turn (answers given
    /// outside a read callback, e.g. when Redis replied).
    func scheduleFlush(_ connection: HTTPConnection) {
        guard let turnHook, !connection.dirty else { return }
        connection.dirty = true
        dirtyConnections.append(connection)
        turnHook.start()
    }

    private func flushDirty() {
        turnHook?.stop()
        guard !dirtyConnections.isEmpty else { return }
        // Swap out the list: a flush may schedule again.
        var batch = dirtyConnections
        dirtyConnections = []
        for connection in batch {
            connection.dirty = false
            connection.flush()
        }
        batch.removeAll(keepingCapacity: true)
        if dirtyConnections.isEmpty { dirtyConnections = batch }
    }

    /// Fires expired deadlines and refreshes the cached Date line.
    private func sweep() {
        refreshDate()
        let now = self.now
        var index = 0
        while index < connections.count {
            let connection = connections[index]
            if connection.deadline != 0 && connection.deadline <= now {
                connection.deadlineExpired()
            }
            // An expired connection may have removed itself (swap-remove).
            if index < connections.count && connections[index] === connection { index += 1 }
        }
    }

    // MARK: Shutdown

    /// Stops accepting, lets in-flight requests finish, closes idle
    /// connections; after `graceMillis` closes everything and stops the loop.
    func beginDraining(graceMillis: UInt64) {
        guard !draining, let loop else { return }
        draining = true
        listener?.close()
        listener = nil
        for connection in connections {
            if connection.streaming {
                // A stream never finishes by itself: end it so the connection can close.
                connection.endStream(seq: connection.sendSeq)
                continue
            }
            if connection.phase == .idle {
                if connection.pendingResponses == 0 && !connection.writePending {
                    connection.closeNow()
                } else {
                    connection.stopParsing()
                }
            }
            // Mid-request connections close after that request (dispatch sees `draining`).
        }
        let timer = LoopTimer(loop: loop)
        timer.start(afterMillis: graceMillis) { [unowned self] in
            for connection in connections { connection.closeNow() }
            stopLoop()
        }
        graceTimer = timer
        if connections.isEmpty { finishDraining() }
    }

    private func finishDraining() {
        guard !stopped else { return }
        guard !shutdownHooks.isEmpty else {
            stopLoop()
            return
        }
        var remaining = shutdownHooks.count
        let hooks = shutdownHooks
        shutdownHooks = []
        for hook in hooks {
            hook { [unowned self] in
                remaining -= 1
                if remaining == 0 { stopLoop() }
            }
        }
    }

    private func stopLoop() {
        guard !stopped, let loop else { return }
        stopped = true
        graceTimer?.close()
        graceTimer = nil
        tick?.close()
        tick = nil
        turnHook?.close()
        turnHook = nil
        onStopped?()
        loop.stop()
    }
}
