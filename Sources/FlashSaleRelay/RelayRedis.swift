import FlashSaleLoop
import FlashSaleRedis

/// The relay's one way to Redis: every command it sends goes through here, named by
/// the key that routes it (today one ``RedisClient``; a cluster router that picks the
/// node by the key's hash-tag slot drops in here without touching the callers).
/// Loop thread only.
final class RelayRedis {
    private let client: RedisClient

    init(loop: EventLoop, configuration: RedisClientConfiguration) {
        client = RedisClient(loop: loop, configuration: configuration)
    }

    /// Called when the connection is up (`true`) or was lost or refused (`false`; the
    /// client keeps reconnecting). Not called while connecting or once closed.
    var onAvailabilityChange: ((Bool) -> Void)? {
        didSet {
            let hook = onAvailabilityChange
            client.onHealthChange = { health, _ in
                if health == .up { hook?(true) } else if health == .down { hook?(false) }
            }
        }
    }

    /// Whether commands can be sent now.
    var isAvailable: Bool { client.canAcceptCommand }

    /// The last connection error ("" if none).
    var lastError: String { client.lastError }

    func start() { client.start() }
    func close() { client.close() }

    /// Sends `arguments`, routed by `key` (the command's first key).
    func send(key: String, _ arguments: [String], completion: @escaping (Result<RedisValue, RedisError>) -> Void) {
        client.send(arguments, completion: completion)
    }

    /// Sends commands that share one routing `key`, in one write, and gathers the results in order.
    func sendAll(key: String, _ commands: [[String]], completion: @escaping ([Result<RedisValue, RedisError>]) -> Void) {
        client.sendAll(commands, completion: completion)
    }
}
