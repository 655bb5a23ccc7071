import FlashSaleClient
import FlashSaleLoop

/// One keep-alive connection of the driver: at most one request in flight.
/// Loop thread only.
final class DriverConnection: TCPConnectionDelegate {
    // unowned(unsafe): the driver outlives its connections (it closes them before it ends),
    // and this avoids a reference-count check per request.
    unowned(unsafe) let driver: LoadDriver
    private(set) var tcp: TCPConnection?
    private var parser = HTTPResponseParser()
    private var out = ByteBuffer(capacity: 1024)
    /// The request in flight and when it was written.
    private(set) var job: Job?
    private(set) var sentNanos: UInt64 = 0
    private var writePending = false
    private(set) var connecting = false
    /// Consecutive failed connects (drives the reconnect backoff).
    private(set) var failedConnects = 0
    /// Set while parsing: an answer was recorded / an answer came with no request.
    private var answered = false
    private var unsolicited = false

    init(driver: LoadDriver) {
        self.driver = driver
    }

    deinit { out.free() }

    /// Whether a new request can be written now.
    var isReady: Bool { tcp != nil && job == nil && !writePending && !connecting }

    func connect() {
        guard tcp == nil, !connecting else { return }
        connecting = true
        TCPConnection.connect(on: driver.loop, host: driver.configuration.host, port: driver.configuration.port) { [self] result in
            connecting = false
            switch result {
            case .success(let connection):
                failedConnects = 0
                tcp = connection
                parser.reset()
                connection.delegate = self
                connection.setNoDelay(true)
                connection.startReading()
                driver.connectionBecameReady(self)
            case .failure(let error):
                failedConnects += 1
                driver.connectionFailed(self, error: error)
            }
        }
    }

    /// Writes `job`'s request. `now` is nanoseconds since the run started.
    func send(_ job: Job, now: UInt64) {
        guard let tcp else { return }
        out.clear()
        let writer = driver.writer
        switch job.kind {
        case .purchase:
            writer.writePurchase(user: Int(job.user), ordinal: Int(job.keyOrdinal), into: &out)
        case .pay:
            writer.writePay(orderID: driver.orderID(ofUser: Int(job.user)), into: &out)
        case .cancel:
            writer.writeCancel(orderID: driver.orderID(ofUser: Int(job.user)), user: Int(job.user), into: &out)
        case .get:
            writer.writeBench(into: &out)
        }
        parser.captureBody = job.kind != .get
        self.job = job
        sentNanos = now
        driver.stats.noteSent()
        switch tcp.write(out.bytes) {
        case .written:
            break
        case .pending:
            writePending = true
        case .failed:
            fail(reason: .connection)
        }
    }

    /// Gives up on the request in flight (if any) and closes; the driver reconnects.
    func fail(reason: UnknownReason) {
        if let job {
            self.job = nil
            driver.recordUnknown(job, reason: reason, sentNanos: sentNanos)
        }
        tcp?.close()
    }

    /// Closes for good (end of run).
    func shutdown() {
        tcp?.close()
    }

    // MARK: TCPConnectionDelegate

    func tcpConnection(_ connection: TCPConnection, didRead bytes: UnsafeRawBufferPointer) {
        let ok = parser.feed(bytes) { status, body in
            guard let job else {
                unsolicited = true
                return
            }
            self.job = nil
            answered = true
            driver.recordAnswer(job, status: status, body: body, sentNanos: sentNanos)
        }
        if !ok || unsolicited {
            unsolicited = false
            answered = false
            fail(reason: .malformed)
            return
        }
        if answered {
            answered = false
            if parser.closeAfterResponse {
                connection.close()
                return
            }
            if !writePending { driver.connectionBecameReady(self) }
        }
    }

    func tcpConnection(_ connection: TCPConnection, readEndedWith error: TCPError?) {
        fail(reason: .connection)
    }

    func tcpConnection(_ connection: TCPConnection, didFinishWriteWith error: TCPError?) {
        writePending = false
        if error != nil {
            fail(reason: .connection)
        } else if job == nil {
            driver.connectionBecameReady(self)
        }
    }

    func tcpConnectionDidClose(_ connection: TCPConnection) {
        if tcp === connection { tcp = nil }
        writePending = false
        if let job {
            self.job = nil
            driver.recordUnknown(job, reason: .connection, sentNanos: sentNanos)
        }
        driver.connectionClosed(self)
    }
}
