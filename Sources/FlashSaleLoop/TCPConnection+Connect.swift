import CLibUV

extension TCPConnection {
    /// Opens a connection to `host:port` (numeric address or "localhost").
    /// `completion` runs on the loop thread with the connection (not yet
    /// reading: set a delegate, then ``startReading()``) or the error.
    /// Call on the loop's thread.
    public static func connect(
        on loop: EventLoop, host: String, port: Int,
        _ completion: @escaping (Result<TCPConnection, TCPError>) -> Void
    ) {
        let address: SocketAddress
        do {
            address = try SocketAddress(host: host, port: port, operation: "connect")
        } catch {
            completion(.failure(error))
            return
        }
        let connection = TCPConnection(loop: loop)
        let pending = PendingConnect(connection: connection, completion: completion, place: "\(host):\(port)")
        pending.request.pointee.data = Unmanaged.passRetained(pending).toOpaque()
        let rc = address.withSockaddr { sa in
            uv_tcp_connect(pending.request, connection.handle, sa) { req, status in
                guard let req, let data = req.pointee.data else { return }
                let pending = Unmanaged<PendingConnect>.fromOpaque(data).takeRetainedValue()
                if status == 0 {
                    pending.completion(.success(pending.connection))
                } else {
                    pending.connection.close()
                    pending.completion(.failure(TCPError(code: status, operation: "connect \(pending.place)")))
                }
            }
        }
        if rc != 0 {
            Unmanaged<PendingConnect>.fromOpaque(pending.request.pointee.data!).release()
            connection.close()
            completion(.failure(TCPError(code: rc, operation: "connect \(host):\(port)")))
        }
    }
}

/// Context of one `uv_tcp_connect`, retained until its callback.
private final class PendingConnect {
    let request: UnsafeMutablePointer<uv_connect_t>
    let connection: TCPConnection
    let completion: (Result<TCPConnection, TCPError>) -> Void
    let place: String

    init(connection: TCPConnection, completion: @escaping (Result<TCPConnection, TCPError>) -> Void, place: String) {
        request = .allocate(capacity: 1)
        request.initialize(to: uv_connect_t())
        self.connection = connection
        self.completion = completion
        self.place = place
    }

    deinit { request.deallocate() }
}
