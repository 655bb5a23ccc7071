import CLibUV

/// Events of one ``TCPConnection``, delivered on its loop's thread.
public protocol TCPConnectionDelegate: AnyObject {
    /// Bytes arrived. `bytes` points into a buffer shared by the loop's
    /// connections: it is valid only during this call (copy what you keep).
    func tcpConnection(_ connection: TCPConnection, didRead bytes: UnsafeRawBufferPointer)
    /// Reading ended: `error` is nil when the peer closed its side (EOF).
    /// Reading stops by itself; the connection stays open until ``TCPConnection/close()``.
    func tcpConnection(_ connection: TCPConnection, readEndedWith error: TCPError?)
    /// The pending ``TCPConnection/write(_:)`` finished (`error` nil) or failed.
    func tcpConnection(_ connection: TCPConnection, didFinishWriteWith error: TCPError?)
    /// The connection is closed and its handle freed; no more events follow.
    func tcpConnectionDidClose(_ connection: TCPConnection)
}

extension TCPConnectionDelegate {
    /// Default: nothing.
    public func tcpConnection(_ connection: TCPConnection, didFinishWriteWith error: TCPError?) {}
    /// Default: nothing.
    public func tcpConnectionDidClose(_ connection: TCPConnection) {}
}

/// Outcome of ``TCPConnection/write(_:)``.
public enum TCPWriteOutcome: Sendable, Equatable {
    /// Every byte went to the kernel now; the caller may reuse its buffer.
    case written
    /// Part was queued: keep the buffer alive and unchanged until
    /// ``TCPConnectionDelegate/tcpConnection(_:didFinishWriteWith:)``.
    case pending
    /// The write failed (the connection is usually dead: close it).
    case failed(TCPError)
}

/// One TCP connection (accepted by a ``TCPListener`` or made with
/// ``connect(on:host:port:_:)``). Loop thread only.
///
/// - Reading: set ``delegate``, call ``startReading()``; ``stopReading()`` pauses.
/// - Writing: ``write(_:)`` tries `uv_try_write` first and queues only the rest
///   (zero-copy, one pending write at a time, the caller keeps the buffer);
///   ``send(_:completion:)`` copies what cannot go out at once (any number in flight).
/// - Closing: ``shutdownWrite()`` sends FIN after queued writes; ``close()`` closes.
///   The connection keeps itself alive until its close callback has run.
public final class TCPConnection: LoopHandleOwner {
    let handle: UnsafeMutablePointer<uv_tcp_t>
    private let readBuffer: UnsafeMutableRawPointer
    /// The loop this connection lives on.
    public let loop: EventLoop
    /// Receives reads, write completions and the close. Held strongly until
    /// the connection has closed.
    public var delegate: (any TCPConnectionDelegate)?
    private var writeRequest: UnsafeMutablePointer<uv_write_t>?
    private var hasPendingWrite = false
    /// Whether ``close()`` was called (or the loop is shutting down).
    public private(set) var isClosing = false
    /// Whether reading is on.
    public private(set) var isReading = false

    init(loop: EventLoop) {
        self.loop = loop
        readBuffer = loop.readBuffer
        handle = .allocate(capacity: 1)
        handle.initialize(to: uv_tcp_t())
        super.init()
        uv_tcp_init(loop.uvLoop, handle)
        handle.pointee.data = Unmanaged.passRetained(self).toOpaque()
    }

    // MARK: Reading

    /// Starts delivering reads to the delegate.
    public func startReading() {
        guard !isClosing, !isReading else { return }
        let rc = uv_read_start(handle.asStream, { h, _, buf in
            guard let h, let buf, let data = h.pointee.data else { return }
            let base = Unmanaged<TCPConnection>.fromOpaque(data)._withUnsafeGuaranteedRef { $0.readBuffer }
            buf.pointee = uv_buf_init(base.assumingMemoryBound(to: CChar.self), UInt32(EventLoop.readBufferSize))
        }, { stream, nread, buf in
            guard let stream, let data = stream.pointee.data else { return }
            Unmanaged<TCPConnection>.fromOpaque(data)._withUnsafeGuaranteedRef { connection in
                connection.didRead(nread, buf)
            }
        })
        isReading = rc == 0
    }

    /// Stops delivering reads (the kernel buffers what arrives meanwhile).
    public func stopReading() {
        guard !isClosing, isReading else { return }
        uv_read_stop(handle.asStream)
        isReading = false
    }

    private func didRead(_ nread: Int, _ buf: UnsafePointer<uv_buf_t>?) {
        if nread > 0, let base = buf?.pointee.base {
            delegate?.tcpConnection(self, didRead: UnsafeRawBufferPointer(start: base, count: nread))
        } else if nread < 0 {
            isReading = false
            uv_read_stop(handle.asStream)
            let code = Int32(truncatingIfNeeded: nread)
            delegate?.tcpConnection(
                self, readEndedWith: code == UV_EOF.rawValue ? nil : TCPError(code: code, operation: "read"))
        }
    }

    // MARK: Writing

    /// Writes `bytes`: as much as possible now (`uv_try_write`), the rest
    /// queued without a copy (``TCPWriteOutcome/pending``: keep `bytes` alive
    /// until the delegate hears of it). Only one pending write at a time.
    public func write(_ bytes: UnsafeRawBufferPointer) -> TCPWriteOutcome {
        guard !isClosing else { return .failed(TCPError(code: UV_ECANCELED.rawValue, operation: "write")) }
        precondition(!hasPendingWrite, "TCPConnection.write: a write is already pending")
        guard let base = bytes.baseAddress, bytes.count > 0 else { return .written }
        var buf = uv_buf_init(UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: CChar.self)), UInt32(bytes.count))
        let done = uv_try_write(handle.asStream, &buf, 1)
        if done == Int32(bytes.count) { return .written }
        if done < 0 && done != UV_EAGAIN.rawValue {
            return .failed(TCPError(code: done, operation: "write"))
        }
        let sent = max(0, Int(done))
        buf = uv_buf_init(UnsafeMutablePointer(mutating: (base + sent).assumingMemoryBound(to: CChar.self)), UInt32(bytes.count - sent))
        let request: UnsafeMutablePointer<uv_write_t>
        if let existing = writeRequest {
            request = existing
        } else {
            request = .allocate(capacity: 1)
            request.initialize(to: uv_write_t())
            writeRequest = request
        }
        // The handle's data already holds a retain of self until close; the
        // request is freed in the close callback, after libuv cancelled it.
        request.pointee.data = UnsafeMutableRawPointer(handle)
        let rc = uv_write(request, handle.asStream, &buf, 1) { req, status in
            guard let req, let stream = req.pointee.handle, let data = stream.pointee.data else { return }
            Unmanaged<TCPConnection>.fromOpaque(data)._withUnsafeGuaranteedRef { connection in
                connection.hasPendingWrite = false
                connection.delegate?.tcpConnection(
                    connection, didFinishWriteWith: status == 0 ? nil : TCPError(code: status, operation: "write"))
            }
        }
        if rc != 0 { return .failed(TCPError(code: rc, operation: "write")) }
        hasPendingWrite = true
        return .pending
    }

    /// Whether a ``write(_:)`` is still queued.
    public var isWritePending: Bool { hasPendingWrite }

    /// Sends a copy of `bytes` (tries now, copies and queues the rest).
    /// `completion` runs when all is written or failed (`nil` = success);
    /// if everything went out at once it runs before `send` returns.
    public func send(_ bytes: [UInt8], completion: ((TCPError?) -> Void)? = nil) {
        bytes.withUnsafeBytes { send(contentsOf: $0, completion: completion) }
    }

    /// Like ``send(_:completion:)`` for bytes the caller keeps.
    public func send(contentsOf bytes: UnsafeRawBufferPointer, completion: ((TCPError?) -> Void)? = nil) {
        guard !isClosing else {
            completion?(TCPError(code: UV_ECANCELED.rawValue, operation: "write"))
            return
        }
        guard let base = bytes.baseAddress, bytes.count > 0 else {
            completion?(nil)
            return
        }
        var buf = uv_buf_init(UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: CChar.self)), UInt32(bytes.count))
        let done = uv_try_write(handle.asStream, &buf, 1)
        if done == Int32(bytes.count) {
            completion?(nil)
            return
        }
        if done < 0 && done != UV_EAGAIN.rawValue {
            completion?(TCPError(code: done, operation: "write"))
            return
        }
        let sent = max(0, Int(done))
        let copy = SendRequest(bytes: UnsafeRawBufferPointer(rebasing: bytes[sent...]), completion: completion)
        buf = uv_buf_init(copy.storage.assumingMemoryBound(to: CChar.self), UInt32(copy.count))
        copy.request.pointee.data = Unmanaged.passRetained(copy).toOpaque()
        let rc = uv_write(copy.request, handle.asStream, &buf, 1) { req, status in
            guard let req, let data = req.pointee.data else { return }
            let copy = Unmanaged<SendRequest>.fromOpaque(data).takeRetainedValue()
            copy.completion?(status == 0 ? nil : TCPError(code: status, operation: "write"))
        }
        if rc != 0 {
            Unmanaged<SendRequest>.fromOpaque(copy.request.pointee.data!).release()
            completion?(TCPError(code: rc, operation: "write"))
        }
    }

    // MARK: Options and addresses

    /// Turns Nagle's algorithm off (`true`) or on.
    public func setNoDelay(_ enabled: Bool) {
        guard !isClosing else { return }
        uv_tcp_nodelay(handle, enabled ? 1 : 0)
    }

    /// Turns TCP keep-alive probes on after `idleSeconds` of silence, or off.
    public func setKeepAlive(_ enabled: Bool, idleSeconds: UInt32 = 60) {
        guard !isClosing else { return }
        uv_tcp_keepalive(handle, enabled ? 1 : 0, idleSeconds)
    }

    /// The peer's address, e.g. "127.0.0.1:53412", or nil if unknown.
    public func remoteAddress() -> String? { address(uv_tcp_getpeername)?.text }

    /// The peer's IP address (no port, no allocation), or nil if unknown.
    public func remoteIPAddress() -> IPAddress? { address(uv_tcp_getpeername)?.ipAddress }

    /// The local address, e.g. "127.0.0.1:8080", or nil if unknown.
    public func localAddress() -> String? { address(uv_tcp_getsockname)?.text }

    /// The address `query` (`uv_tcp_getpeername` or `uv_tcp_getsockname`) reads.
    private func address(
        _ query: (UnsafePointer<uv_tcp_t>?, UnsafeMutablePointer<sockaddr>?, UnsafeMutablePointer<Int32>?) -> Int32
    ) -> SocketAddress? {
        guard !isClosing else { return nil }
        var name = sockaddr_storage()
        var len = Int32(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutableBytes(of: &name) {
            query(handle, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), &len)
        }
        return rc == 0 ? SocketAddress(storage: name) : nil
    }

    // MARK: Closing

    /// Sends FIN once queued writes are done; reading continues (so a
    /// lingering close can drain what the peer still sends). Closes the
    /// connection if the shutdown fails.
    public func shutdownWrite() {
        guard !isClosing else { return }
        let request = UnsafeMutablePointer<uv_shutdown_t>.allocate(capacity: 1)
        request.initialize(to: uv_shutdown_t())
        let rc = uv_shutdown(request, handle.asStream) { req, status in
            guard let req else { return }
            if status != 0 && status != UV_ECANCELED.rawValue, let stream = req.pointee.handle,
                let data = stream.pointee.data
            {
                Unmanaged<TCPConnection>.fromOpaque(data).takeUnretainedValue().close()
            }
            req.deallocate()
        }
        if rc != 0 {
            request.deallocate()
            close()
        }
    }

    /// Closes the connection; pending writes are cancelled. The delegate's
    /// ``TCPConnectionDelegate/tcpConnectionDidClose(_:)`` follows from the close callback.
    public func close() {
        guard !isClosing else { return }
        isClosing = true
        isReading = false
        uv_close(handle.asHandle) { h in
            guard let h, let data = h.pointee.data else { return }
            let connection = Unmanaged<TCPConnection>.fromOpaque(data).takeRetainedValue()
            connection.delegate?.tcpConnectionDidClose(connection)
            connection.delegate = nil
            connection.writeRequest?.deallocate()
            connection.writeRequest = nil
            connection.handle.deallocate()
        }
    }

    package override func closeForShutdown() { close() }
}

/// A queued copy for ``TCPConnection/send(_:completion:)``.
private final class SendRequest {
    let request: UnsafeMutablePointer<uv_write_t>
    let storage: UnsafeMutableRawPointer
    let count: Int
    let completion: ((TCPError?) -> Void)?

    init(bytes: UnsafeRawBufferPointer, completion: ((TCPError?) -> Void)?) {
        count = bytes.count
        storage = .allocate(byteCount: max(1, count), alignment: 1)
        storage.copyMemory(from: bytes.baseAddress!, byteCount: count)
        request = .allocate(capacity: 1)
        request.initialize(to: uv_write_t())
        self.completion = completion
    }

    deinit {
        storage.deallocate()
        request.deallocate()
    }
}
