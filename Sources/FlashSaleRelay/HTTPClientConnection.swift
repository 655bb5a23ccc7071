import FlashSaleClient
import FlashSaleLoop

/// How one HTTP exchange ended without an answer.
enum HTTPClientFailure: Error, Equatable, CustomStringConvertible {
    /// No complete answer within the timeout.
    case timeout(UInt64)
    /// Connect, read or write failed, or the peer closed before answering.
    case connection(String)
    /// The answer was not HTTP/1.x the parser understands.
    case malformed

    var description: String {
        switch self {
        case .timeout(let millis): return "no answer within \(millis) ms"
        case .connection(let why): return why
        case .malformed: return "malformed HTTP response"
        }
    }
}

/// One keep-alive HTTP/1.1 client connection on the loop: one request at a time,
/// answered through the project's ``HTTPResponseParser``. Loop thread only.
final class HTTPClientConnection: TCPConnectionDelegate {
    private let loop: EventLoop
    private let url: HTTPURL
    private var tcp: TCPConnection?
    private var parser = HTTPResponseParser()
    private let timer: LoopTimer
    private var completion: ((Result<Int, HTTPClientFailure>) -> Void)?
    private var connecting = false
    /// Requests answered on this connection (0: never used).
    private(set) var answered = 0
    /// Whether the current request got any byte back.
    private var gotBytes = false
    /// Whether the last request failed on a reused connection before any byte of an
    /// answer: the peer had closed it while idle (a keep-alive race), so the request
    /// never reached it and may go again on a fresh connection.
    var failedStale: Bool { isClosed && answered > 0 && !gotBytes }
    /// Set when the connection is unusable; the pool drops it.
    private(set) var isClosed = false
    /// Told when the connection closes while idle (the peer's keep-alive ended).
    var onIdleClose: ((HTTPClientConnection) -> Void)?

    init(loop: EventLoop, url: HTTPURL) {
        self.loop = loop
        self.url = url
        timer = LoopTimer(loop: loop)
    }

    /// Whether a request is in progress.
    var isBusy: Bool { completion != nil }

    /// Sends `request` (complete bytes); `completion` gets the status, once.
    func send(_ request: [UInt8], timeoutMillis: UInt64, completion: @escaping (Result<Int, HTTPClientFailure>) -> Void) {
        precondition(self.completion == nil && !isClosed, "HTTPClientConnection: one request at a time")
        self.completion = completion
        gotBytes = false
        timer.start(afterMillis: timeoutMillis) { [unowned self] in
            self.fail(.timeout(timeoutMillis))
        }
        if let tcp {
            write(request, on: tcp)
            return
        }
        connecting = true
        TCPConnection.connect(on: loop, host: url.host, port: url.port) { [weak self] result in
            guard let self else { return }
            self.connecting = false
            switch result {
            case .failure(let error):
                self.fail(.connection("\(error)"))
            case .success(let connection):
                guard !self.isClosed, self.completion != nil else {
                    connection.close()
                    return
                }
                self.tcp = connection
                connection.delegate = self
                connection.setNoDelay(true)
                connection.startReading()
                self.write(request, on: connection)
            }
        }
    }

    private func write(_ request: [UInt8], on connection: TCPConnection) {
        connection.send(request) { [weak self] error in
            if let error { self?.fail(.connection("\(error)")) }
        }
    }

    /// Closes for good (a pending request fails).
    func close() {
        fail(.connection("connection closed"))
        timer.close()
    }

    private func fail(_ failure: HTTPClientFailure) {
        guard !isClosed else { return }
        isClosed = true
        timer.stop()
        tcp?.close()
        tcp = nil
        if let completion {
            self.completion = nil
            completion(.failure(failure))
        } else if !connecting {
            onIdleClose?(self)
        }
    }

    func tcpConnection(_ connection: TCPConnection, didRead bytes: UnsafeRawBufferPointer) {
        guard completion != nil else {
            // Bytes while idle: nothing was asked; the connection is out of step.
            fail(.malformed)
            return
        }
        gotBytes = true
        var status: Int?
        let ok = parser.feed(bytes) { code, _ in status = code }
        guard ok else { return fail(.malformed) }
        guard let status, let completion else { return }
        self.completion = nil
        timer.stop()
        answered += 1
        if parser.closeAfterResponse || !parser.isIdle {
            // The peer ends the connection (or sent more than one answer): close it quietly.
            isClosed = true
            tcp?.close()
            tcp = nil
        }
        completion(.success(status))
    }

    func tcpConnection(_ connection: TCPConnection, readEndedWith error: TCPError?) {
        fail(.connection(error.map { "\($0)" } ?? "the peer closed the connection before answering"))
    }
}
