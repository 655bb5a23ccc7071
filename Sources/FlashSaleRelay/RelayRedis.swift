import FlashSaleLoop
import FlashSaleRedis

/// The relay's one way to Redis: every command it sends goes through here, named by
/// the key that routes it. It runs on a ``RedisRouter``: one standalone Redis, or a Redis
/// Cluster where each command goes to the master owning its key's hash-tag slot (a
/// sale's stream, group and dead letters all live in the slot of `{S}`).
/// Loop thread only.
final class RelayRedis {
    private let client: RedisRouter

    init(loop: EventLoop, configuration: RedisRouterConfiguration) {
        client = RedisRouter(loop: loop, configuration: configuration)
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
        client.send(arguments, routingKey: key, completion: completion)
    }

    /// Sends commands that share one routing `key`, in one write, and gathers the results in order.
    /// (All go to `key`'s master in order, so a `MULTI` … `EXEC` block stays whole, and a
    /// command of a block is never redirected alone.)
    func sendAll(key: String, _ commands: [[String]], completion: @escaping ([Result<RedisValue, RedisError>]) -> Void) {
        client.sendPipeline(commands, routingKey: key, completion: completion)
    }
}
