import FlashSaleLoop

/// An HTTP connection without a socket: bytes in, response bytes out,
/// through the same parser, limits, router and encoder as the server.
/// For benchmarks and tests; single-threaded, no timers.
///
/// ```swift
/// let connection = HTTPInMemoryConnection(router: router)
/// connection.receive(requestBytes)
/// connection.output   // the responses, in order
/// connection.clearOutput()
/// ```
public final class HTTPInMemoryConnection {
    private let worker: HTTPWorker
    private let connection: HTTPConnection

    /// A connection whose requests go to `router`, as if from `peer` (`::` by default;
    /// forwarding headers count when it is in the configuration's trusted proxies).
    public init(router: HTTPRouter, configuration: HTTPServerConfiguration = HTTPServerConfiguration(),
                peer: IPAddress = .unspecified) {
        worker = HTTPWorker(loop: nil, configuration: configuration, counter: ConnectionCounter())
        worker.install(router: router)
        connection = HTTPConnection(worker: worker, tcp: nil)
        connection.peer = peer
        connection.peerTrusted = configuration.trustedProxies.contains(peer)
        if configuration.proxyProtocol { connection.proxyHeader = ProxyHeaderParser() }
        worker.attachInMemory(connection)
    }

    // The worker lists its connections and each connection holds its
    // worker: closing takes this one off the list, which breaks the cycle
    // (without it every harness leaked both, as LeakSanitizer saw).
    deinit { connection.closeNow() }

    /// Feeds bytes as if read from a socket.
    public func receive(_ bytes: UnsafeRawBufferPointer) { connection.receive(bytes) }

    /// Feeds bytes as if read from a socket.
    public func receive(_ bytes: [UInt8]) { bytes.withUnsafeBytes { connection.receive($0) } }

    /// Response bytes produced so far (valid until the next call).
    public var output: UnsafeRawBufferPointer { connection.out.bytes }

    /// Forgets the produced output (keeps the buffer).
    public func clearOutput() { connection.out.count = 0 }

    /// Whether the connection stopped taking requests (after an error or
    /// `Connection: close`).
    public var isClosing: Bool { connection.closing }
}
