import CHTTPParser
import FlashSaleLoop
#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 connection: parser state, the current request's bytes,
/// ordered responses and the output buffers. Loop thread only.
///
/// Without a socket (`tcp == nil`) it is the in-memory harness behind
/// ``HTTPInMemoryConnection``: same parser, router and encoder.
final class HTTPConnection {
    enum State { case open, lingering, closed }
    enum Phase { case idle, headers, body }
    enum Callback { case none, url, field, value }
    enum DeadlineKind { case none, header, body, idle, send, linger }

    struct HeaderSlot {
        var nameStart: Int32
        var nameLength: Int32
        var valueStart: Int32
        var valueLength: Int32
    }

    let worker: HTTPWorker
    var tcp: TCPConnection?
    let parser: UnsafeMutablePointer<http_parser>

    // The request being parsed: URL at offset 0, then header names and values, then the body.
    let request: ByteBuffer
    var headers: UnsafeMutablePointer<HeaderSlot>
    var headerCapacity: Int
    var headerCount = 0
    var trailerCount = 0
    var headerBytes = 0
    var urlLength = 0
    var bodyStart = 0
    var bodyLength = 0
    var lastCallback = Callback.none
    var valueTerminated = false
    var valueEndedAtChunkEnd = false
    var inTrailers = false
    var failure: HTTPFailure?
    var contentTypeSlot = -1
    var expectsContinue = false
    var phase = Phase.idle
    let params: UnsafeMutablePointer<(start: Int32, length: Int32)>
    var pathStart = 0
    var pathLength = 0
    var queryStart = 0
    var queryLength = 0
    var matchedPattern = 0
    var currentMethod = HTTPMethod.get
    var chunkEnd: UnsafeRawPointer?
    var chunkStart: UnsafeRawPointer?

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
    var remoteAddressCache: String?

    init(worker: HTTPWorker, tcp: TCPConnection?) {
        self.worker = worker
        self.tcp = tcp
        parser = .allocate(capacity: 1)
        http_parser_init(parser, HTTP_REQUEST)
        request = ByteBuffer(capacity: 1024)
        headerCapacity = 16
        headers = .allocate(capacity: headerCapacity)
        params = .allocate(capacity: HTTPRouter.maxParams)
        out = ByteBuffer(capacity: 1024)
        spare = ByteBuffer(capacity: 1024)
        parser.pointee.data = Unmanaged.passUnretained(self).toOpaque()
    }

    deinit {
        parser.deallocate()
        headers.deallocate()
        params.deallocate()
    }

    var now: UInt64 { worker.now }

    /// Responses assigned and not yet handed to the output buffer.
    var pendingResponses: UInt32 { nextSeq &- sendSeq }

    // MARK: Input

    /// Feeds bytes read from the socket through the parser; responses
    /// completed meanwhile leave in one write at the end.
    func receive(_ bytes: UnsafeRawBufferPointer) {
        guard state == .open, !closing, let base = bytes.baseAddress, bytes.count > 0 else { return }
        inRead = true
        chunkStart = UnsafeRawPointer(base)
        chunkEnd = base + bytes.count
        if lastCallback == .value && valueEndedAtChunkEnd {
            // The previous chunk ended right after a value: a line break here ends it.
            let first = base.load(as: UInt8.self)
            if first == 0x0D || first == 0x0A { valueTerminated = true }
        }
        let parsed = http_parser_execute(parser, worker.settings, base.assumingMemoryBound(to: CChar.self), bytes.count)
        let errno = parser.pointee.http_errno
        if errno != HPE_OK.rawValue && errno != HPE_PAUSED.rawValue {
            failParse(errno: errno, at: UnsafeRawPointer(base) + parsed)
        } else if parser.pointee.upgrade == 1 && !closing {
            // Upgrade/CONNECT: answered as a plain request (if complete), then closed.
            if phase != .idle { fail(.upgradeUnsupported) } else { stopParsing() }
        }
        inRead = false
        chunkEnd = nil
        chunkStart = nil
        flush()
    }

    /// Stops parsing: every response already assigned goes out, then the connection closes.
    func stopParsing() {
        guard !closing else { return }
        closing = true
        // Pausing asserts on a parser already in an error state.
        if parser.pointee.http_errno == HPE_OK.rawValue { http_parser_pause(parser, 1) }
    }

    /// Answers a framing or limit error in order after earlier responses, then closes.
    func fail(_ failure: HTTPFailure) {
        stopParsing()
        let seq = nextSeq
        nextSeq &+= 1
        phase = .idle
        emitFailure(seq: seq, flags: 0, failure)
    }

    private func failParse(errno: UInt32, at position: UnsafeRawPointer) {
        if let failure { fail(failure); return }
        if phase == .headers || phase == .idle, let classified = classifyHeaders(final: false) {
            fail(classified)
            return
        }
        switch errno {
        case HPE_HEADER_OVERFLOW.rawValue: fail(.headersTooLarge)
        case HPE_INVALID_METHOD.rawValue: fail(methodLooksLikeToken(around: position) ? .unknownMethod : .badRequest)
        case HPE_INVALID_TRANSFER_ENCODING.rawValue: fail(.unknownTransferCoding)
        case HPE_INVALID_CONTENT_LENGTH.rawValue: fail(.badContentLength)
        case HPE_UNEXPECTED_CONTENT_LENGTH.rawValue: fail(.duplicateContentLength)
        case HPE_INVALID_CHUNK_SIZE.rawValue: fail(.badChunk)
        case HPE_INVALID_URL.rawValue, HPE_INVALID_PATH.rawValue, HPE_INVALID_QUERY_STRING.rawValue,
            HPE_INVALID_FRAGMENT.rawValue, HPE_INVALID_HOST.rawValue, HPE_INVALID_PORT.rawValue:
            fail(.badTarget)
        default: fail(.badRequest)
        }
    }

    /// Whether the method that failed to parse is a token followed by a
    /// space (an unknown method: 501) rather than garbage (400).
    private func methodLooksLikeToken(around position: UnsafeRawPointer) -> Bool {
        guard let start = chunkStart, let end = chunkEnd, position >= start, position < end else { return false }
        var first = position
        while first > start && isTokenByte((first - 1).load(as: UInt8.self)) { first -= 1 }
        var p = first
        while p < end && isTokenByte(p.load(as: UInt8.self)) { p += 1 }
        return p > first && p < end && p.load(as: UInt8.self) == 0x20
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
            if state == .open && !closing && pendingResponses == 0 && !writePending && tcp != nil {
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

@inline(__always)
func isTokenByte(_ byte: UInt8) -> Bool {
    // tchar: "!#$%&'*+-.^_`|~" / DIGIT / ALPHA
    switch byte {
    case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
    case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: return true
    default: return false
    }
}
