import FlashSaleRedis
import Logging
import FlashSaleWorker

/// Logs a worker's Redis connection going down and coming back, once per change:
/// a refused connect at start gives one warning (with the error) while the client
/// keeps retrying with backoff, and one info line when Redis is up. Loop thread only.
final class RedisHealthLog {
    private let logger: Logger
    private let worker: Int
    private let endpoint: String
    private var lastLogged: StoreHealth?

    init(logger: Logger, worker: Int, endpoint: String) {
        self.logger = logger
        self.worker = worker
        self.endpoint = endpoint
    }

    func note(_ health: StoreHealth, error: String) {
        switch health {
        case .up where lastLogged != .up:
            lastLogged = .up
            logger.info("redis up", metadata: ["worker": "\(worker)", "redis": "\(endpoint)"])
        case .down where lastLogged != .down:
            lastLogged = .down
            logger.warning("redis unreachable; purchases answer 503 and /readyz 503 while it retries",
                           metadata: ["worker": "\(worker)", "redis": "\(endpoint)", "error": "\(error)"])
        default:
            break
        }
    }
}
