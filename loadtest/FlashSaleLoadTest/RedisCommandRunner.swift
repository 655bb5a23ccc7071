import FlashSaleClient
import FlashSaleRedis

/// Runs Redis commands for the oracle, blocking the caller until the replies arrive.
///
/// The oracle reads a sale after (or beside) a run; it does not need to be
/// asynchronous, and a blocking shape keeps the checks readable.
public protocol RedisCommandRunner: AnyObject {
    /// Sends `commands` in one pipeline and returns their replies in order
    /// (an error reply is returned as `.error`, not thrown).
    func pipeline(_ commands: [[String]]) throws -> [RedisValue]
    /// Every key matching `pattern` (on a Redis Cluster: on every master).
    func scan(match pattern: String) throws -> [String]
}

extension RedisCommandRunner {
    /// One command.
    public func command(_ arguments: [String]) throws -> RedisValue {
        try pipeline([arguments]).first ?? .null
    }

    /// `MULTI`, `commands`, `EXEC`: the replies of `commands`, read atomically.
    public func transaction(_ commands: [[String]]) throws -> [RedisValue] {
        let replies = try pipeline([["MULTI"]] + commands + [["EXEC"]])
        guard let exec = replies.last else { throw OracleError.redis("no reply to EXEC") }
        if case .error(let message) = exec { throw OracleError.redis("EXEC failed: \(message)") }
        for reply in replies.dropLast() {
            if case .error(let message) = reply { throw OracleError.redis("MULTI failed: \(message)") }
        }
        return exec.elements
    }
}

/// Why the oracle could not read a sale.
public enum OracleError: Error, CustomStringConvertible, Sendable {
    /// Redis could not be reached or answered an error.
    case redis(String)
    /// The sale does not exist in Redis.
    case saleNotFound(String)

    public var description: String {
        switch self {
        case .redis(let why): return "redis: \(why)"
        case .saleNotFound(let sale): return "sale \(sale) not found in Redis (no fs:{\(sale)}:sale)"
        }
    }
}

/// The project's blocking session is the oracle's runner.
extension BlockingRedisSession: RedisCommandRunner {}
