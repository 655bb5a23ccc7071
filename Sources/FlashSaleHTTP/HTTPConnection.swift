import FlashSaleLoop
#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 connection: its request parser (which holds the current request),
/// ordered responses and the output buffers. Loop thread only.
///
/// Without a socket (`tcp == nil`) it is the in-memory harness behind
/// ``HTTPInMemoryConnection``: same parser, router and encoder.
final class HTTPConnection {
    enum State { case open, lingering, closed }
    enum Phase { case idle, headers, body }
    enum DeadlineKind { case none, header, body, idle, send, linger }

    let worker: HTTPWorker
    var tcp: TCPConnection?
    /// The request parser; it owns the current request's bytes.
    let parser: HTTPRequestParser
    var phase = Phase.idle
    let params: UnsafeMutablePointer<(start: Int32, length: Int32)>
    var pathStart = 0
    var pathLength = 0
    var queryStart = 0
    var queryLength = 0
    var matchedPattern = 0

    // Responses, strictly in request order: `sendSeq` is the next to go out,
    // `nextSeq` the next to assign; completed ones ahead of `sendSeq` wait in `parked`.
    var nextSeq: UInt32 = 0
    var sendSeq: UInt32 = 0
    var out: ByteBuffer
    var spare: ByteBuffer
    var parked: ByteBuffer?
    var parkedEntries: [(seq: UInt32, start: Int, length: Int)] = []
    var writePending = false
    /// The response at `sendSeq` is a stream still being written (see `HTTPStream`).
    var streaming = false

    var state = State.open
    /// No more requests are parsed; close once every assigned response is out.
    var closing = false
    var peerClosed = false
    var readPausedForBackpressure = false
    var inRead = false
    var dirty = false
    var deadline: UInt64 = 0
    var deadlineKind = DeadlineKind.none
    var slot = -1
    /// The peer as far as forwarding goes: the PROXY header's source, else the TCP peer
    /// (nil until asked, or set at accept when proxies are trusted).
    var peer: IPAddress?
    /// Whether ``peer`` is a trusted proxy (its requests' forwarding headers count).
    var peerTrusted = false
    /// Present until the connection's PROXY protocol header is read (`proxyProtocol`).
    var proxyHeader: ProxyHeaderParser?

    init(worker: HTTPWorker, tcp: TCPConnection?) {
        self.worker = worker
        self.tcp = tcp
        parser = HTTPRequestParser(configuration: worker.configuration)
        params = .allocate(capacity: HTTPRouter.maxParams)
        out = ByteBuffer(capacity: 1024)
        spare = ByteBuffer(capacity: 1024)
    }

    deinit {
        params.deallocate()
    }

    var now: UInt64 { worker.now }

    /// Responses assigned and not yet handed to the output buffer.
    var pendingResponses: UInt32 { nextSeq &- sendSeq }

    // MARK: Input

    /// Feeds bytes read from the socket through the parser, dispatching
    /// each complete request; responses completed meanwhile leave in one
    /// write at the end.
    func receive(_ bytes: UnsafeRawBufferPointer) {
        guard state == .open, !closing, let base = bytes.baseAddress, bytes.count > 0 else { return }
        var next = UnsafeRawPointer(base)
        var left = bytes.count
        if proxyHeader != nil {
            let consumed = receiveProxyHeader(next, left)
            guard consumed >= 0 else { return }
            next += consumed
            left -= consumed
        }
        inRead = true
        while left > 0 && !closing {
            if phase == .idle && parser.isIdle {
                phase = .headers
                setDeadline(.header, after: worker.configuration.headerTimeoutMillis)
            }
            let (consumed, event) = parser.parse(next, left)
            next += consumed
            left -= consumed
            switch event {
            case .needMore:
                break
            case .headersComplete:
                phase = .body
                setDeadline(.body, after: worker.configuration.bodyTimeoutMillis)
                if parser.expectsContinue && pendingResponses == 0 {
                    out.append("HTTP/1.1 100 Continue\r\n\r\n")
                }
            case .messageComplete:
                phase = .idle
                setDeadline(.none, after: 0)
                dispatch()
            case .failed(let failure):
                fail(failure)
            }
        }
        inRead = false
        flush()
    }

    /// Feeds the PROXY protocol header; returns the bytes it took, or -1 when the
    /// connection waits for more or was closed (a bad header: nothing is written).
    private func receiveProxyHeader(_ bytes: UnsafeRawPointer, _ count: Int) -> Int {
        guard let parser = proxyHeader else { return 0 }
        let (consumed, result) = parser.parse(bytes, count)
        switch result {
        case .needMore:
            return -1
        case .failed:
            closeNow()
            return -1
        case .done(let header):
            proxyHeader = nil
            if case .relayed(let source) = header {
                peer = source
                peerTrusted = worker.configuration.trustedProxies.contains(source)
            }
            return consumed
        }
    }

    /// Stops parsing: every response already assigned goes out, then the connection closes.
    func stopParsing() {
        closing = true
    }

    /// Answers a framing or limit error in order after earlier responses, then closes.
    func fail(_ failure: HTTPFailure) {
        stopParsing()
        let seq = nextSeq
        nextSeq &+= 1
        phase = .idle
        emitFailure(seq: seq, flags: 0, failure)
    }

    // MARK: Output

    /// Appends buffered responses to the socket: one write for all that are ready.
    func flush() {
        guard state != .closed else { return }
        if let tcp, !writePending, out.count > 0 {
            switch tcp.write(out.bytes) {
            case .written:
                out.count = 0
            case .pending:
                swap(&out, &spare)
                writePending = true
            case .failed:
                closeNow()
                return
            }
        }
        guard tcp != nil else { return }
        if closing && pendingResponses == 0 && out.count == 0 && state == .open {
            if peerClosed {
                if !writePending { closeNow() }
                return
            }
            startLingering()
            return
        }
        applyBackpressure()
        refreshDeadline()
    }

    private func applyBackpressure() {
        guard let tcp, state == .open, !closing else { return }
        let busy = pendingResponses >= UInt32(worker.configuration.maxPendingResponses)
            || out.count + (writePending ? spare.count : 0) >= worker.configuration.maxQueuedOutputBytes
        if busy && !readPausedForBackpressure {
            readPausedForBackpressure = true
            tcp.stopReading()
        } else if !busy && readPausedForBackpressure {
            readPausedForBackpressure = false
            if !peerClosed { tcp.startReading() }
        }
    }

    /// Sends FIN after the last response and drains the peer's input for a
    /// while, so a client that is still sending sees our answer, not a reset.
    private func startLingering() {
        guard let tcp else { return }
        state = .lingering
        tcp.shutdownWrite()
        if !tcp.isReading { tcp.startReading() }
        setDeadline(.linger, after: worker.configuration.lingerTimeoutMillis)
    }

    func setDeadline(_ kind: DeadlineKind, after millis: UInt64) {
        deadlineKind = kind
        deadline = kind == .none ? 0 : now + millis
    }

    private func refreshDeadline() {
        guard state == .open else { return }
        let config = worker.configuration
        if writePending {
            if deadlineKind != .send { setDeadline(.send, after: config.sendTimeoutMillis) }
        } else if phase != .idle {
            // Header and body deadlines were set when that phase began.
        } else if pendingResponses > 0 || closing {
            if deadlineKind != .none { setDeadline(.none, after: 0) }
        } else if deadlineKind != .idle {
            setDeadline(.idle, after: config.keepAliveTimeoutMillis)
        }
    }

    /// Called by the worker when `deadline` has passed.
    func deadlineExpired() {
        switch deadlineKind {
        case .header, .body:
            if proxyHeader != nil {
                closeNow()  // no PROXY header in time: nothing is written
            } else if state == .open && !closing && pendingResponses == 0 && !writePending && tcp != nil {
                fail(.timeout)
                flush()
            } else {
                closeNow()
            }
        case .idle, .send, .linger:
            closeNow()
        case .none:
            break
        }
    }

    /// Closes the socket now (pending writes are dropped).
    func closeNow() {
        guard state != .closed else { return }
        if let tcp {
            tcp.close()  // tcpConnectionDidClose finishes the bookkeeping.
        } else {
            didClose()
        }
    }

    func didClose() {
        guard state != .closed else { return }
        state = .closed
        deadline = 0
        deadlineKind = .none
        tcp?.delegate = nil
        tcp = nil
        parkedEntries.removeAll()
        worker.connectionClosed(self)
    }
}
