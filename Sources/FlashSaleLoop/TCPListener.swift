import CLibUV
#if canImport(Glibc)
import Glibc
#endif

/// A listening TCP socket on one loop. Loop thread only.
///
/// ```swift
/// let listener = try TCPListener(loop: loop, host: "127.0.0.1", port: 8080, reusePort: true) { conn in
///     conn.delegate = myHandler
///     conn.startReading()
/// }
/// ```
/// With `reusePort`, several listeners (one per loop/thread) can bind the same
/// port and the kernel spreads new connections over them (`SO_REUSEPORT`,
/// set by hand: libuv 1.44 has no flag for it). The listener keeps itself
/// alive until ``close()`` (or loop shutdown) completes.
public final class TCPListener: LoopHandleOwner {
    private let handle: UnsafeMutablePointer<uv_tcp_t>
    private let loop: EventLoop
    private var onAccept: ((TCPConnection) -> Void)?
    /// The port actually bound (useful after binding port 0).
    public let localPort: Int

    /// Binds `host:port` and starts listening; `onAccept` gets each accepted
    /// connection (not yet reading). Call on the loop's thread (or before it runs).
    public init(
        loop: EventLoop, host: String, port: Int, reusePort: Bool = false, backlog: Int32 = 1024,
        onAccept: @escaping (TCPConnection) -> Void
    ) throws(TCPError) {
        let address = try SocketAddress(host: host, port: port, operation: "listen")
        let place = "\(host):\(port)"
        let tcp = UnsafeMutablePointer<uv_tcp_t>.allocate(capacity: 1)
        tcp.initialize(to: uv_tcp_t())
        // With AF_* the socket exists now, so SO_REUSEPORT can be set before bind.
        var rc = uv_tcp_init_ex(loop.uvLoop, tcp, UInt32(address.family))
        if rc != 0 {
            tcp.deallocate()
            throw TCPError(code: rc, operation: "listen \(place)")
        }
        var what = "bind"
        if reusePort {
            what = "SO_REUSEPORT"
            var fd: uv_os_fd_t = -1
            rc = uv_fileno(tcp.asHandle, &fd)
            if rc == 0 {
                var one: Int32 = 1
                if setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size)) != 0 {
                    rc = -errno
                }
            }
        }
        var boundPort = port
        if rc == 0 {
            what = "bind"
            rc = address.withSockaddr { uv_tcp_bind(tcp, $0, 0) }
        }
        if rc == 0 {
            var name = sockaddr_storage()
            var len = Int32(MemoryLayout<sockaddr_storage>.size)
            rc = withUnsafeMutableBytes(of: &name) {
                uv_tcp_getsockname(tcp, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), &len)
            }
            if rc == 0 { boundPort = SocketAddress(storage: name).port }
        }
        if rc != 0 {
            // Not owned by a Swift object yet: the close callback only frees memory.
            uv_close(tcp.asHandle) { h in
                h.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: uv_tcp_t.self).deallocate() }
            }
            throw TCPError(code: rc, operation: "\(what) \(place)")
        }
        self.loop = loop
        self.onAccept = onAccept
        handle = tcp
        localPort = boundPort
        super.init()
        tcp.pointee.data = Unmanaged.passRetained(self).toOpaque()
        rc = uv_listen(tcp.asStream, backlog) { server, status in
            guard let server, status >= 0, let data = server.pointee.data else { return }
            Unmanaged<TCPListener>.fromOpaque(data).takeUnretainedValue().acceptOne()
        }
        if rc != 0 {
            close()
            throw TCPError(code: rc, operation: "listen \(place)")
        }
    }

    private func acceptOne() {
        let connection = TCPConnection(loop: loop)
        if uv_accept(handle.asStream, connection.handle.asStream) != 0 {
            connection.close()
            return
        }
        onAccept?(connection)
    }

    /// Stops listening and closes the socket (pending connections are refused).
    public func close() {
        closeOwnedHandle(UnsafeMutableRawPointer(handle)) {
            onAccept = nil
        }
    }

    package override func closeForShutdown() { close() }
}
