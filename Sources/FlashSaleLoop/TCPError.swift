import CLibUV

/// A libuv error from a TCP operation (bind, listen, connect, read, write).
public struct TCPError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The libuv error code (negative errno), e.g. `UV_ECONNREFUSED`.
    public let code: Int32
    /// What was being done, e.g. "bind 127.0.0.1:8080".
    public let operation: String

    /// "connect 127.0.0.1:1: ECONNREFUSED (connection refused)".
    public var description: String { "\(operation): \(EventLoop.describe(code))" }

    /// Whether this is "connection refused".
    public var isConnectionRefused: Bool { code == UV_ECONNREFUSED.rawValue }
    /// Whether this is "address already in use".
    public var isAddressInUse: Bool { code == UV_EADDRINUSE.rawValue }
    /// Whether the operation was cancelled because the handle closed.
    public var isCancelled: Bool { code == UV_ECANCELED.rawValue }
}
