/// The connection state of a store (the Redis connection of a worker).
public enum StoreHealth: UInt8, Sendable, Equatable, CustomStringConvertible {
    /// Connecting (TCP, then the handshake: AUTH/SELECT and SCRIPT LOAD).
    case connecting = 0
    /// Connected and the handshake done: commands are accepted.
    case up = 1
    /// Not connected; a reconnect is scheduled (see the store's last error).
    case down = 2
    /// Closed for good by its owner.
    case closed = 3

    public var description: String {
        switch self {
        case .connecting: return "connecting"
        case .up: return "up"
        case .down: return "down"
        case .closed: return "closed"
        }
    }
}
