import Dispatch
import FlashSaleLoop
import FlashSaleRedis

/// `flashsale relay redeliver`: puts dead letters back into their sale's events stream
/// (one `MULTI`: `XADD fs:{S}:events` of the original event with its `webhook_id` and
/// `relay_endpoint`, `XDEL` from `fs:{S}:dead`), so the running relay delivers each
/// again, to the endpoint that gave up on it only, under the same `webhook-id`.
public enum DeadLetterRedelivery {
    /// What to redeliver.
    public enum Selection: Sendable {
        /// Every dead letter of the sales.
        case all
        /// These `fs:{S}:dead` entry ids (one sale).
        case ids([String])
    }

    /// A failure talking to Redis.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        /// What went wrong.
        public var description: String
    }

    /// Redelivers `selection` of `sale` (nil: every sale in `fs:sales`); returns how many
    /// dead letters went back. Blocks the calling thread (a command-line tool).
    public static func run(redis configuration: RedisRouterConfiguration, sale: String?, selection: Selection) throws -> Int {
        let loop = EventLoop.startThread(name: "flashsale-redeliver")
        let done = DispatchSemaphore(value: 0)
        let outcome = OutcomeBox()
        loop.execute {
            let redis = RelayRedis(loop: loop, configuration: configuration)
            let job = Redelivery(redis: redis, selection: selection) { result in
                outcome.result = result
                redis.close()
                loop.stop()
                done.signal()
            }
            redis.onAvailabilityChange = { up in
                if up { job.start(sale: sale) } else if !job.started {
                    job.finish(.failure(Failure(description: "cannot reach Redis: \(redis.lastError)")))
                }
            }
            redis.start()
        }
        done.wait()
        loop.join()
        return try outcome.result!.get()
    }
}

private final class OutcomeBox: @unchecked Sendable {
    var result: Result<Int, DeadLetterRedelivery.Failure>?
}

/// The steps of one redelivery on the loop.
private final class Redelivery {
    private let redis: RelayRedis
    private let selection: DeadLetterRedelivery.Selection
    private var completion: ((Result<Int, DeadLetterRedelivery.Failure>) -> Void)?
    private var sales: [String] = []
    private var moved = 0
    private(set) var started = false

    init(redis: RelayRedis, selection: DeadLetterRedelivery.Selection,
         completion: @escaping (Result<Int, DeadLetterRedelivery.Failure>) -> Void) {
        self.redis = redis
        self.selection = selection
        self.completion = completion
    }

    func finish(_ result: Result<Int, DeadLetterRedelivery.Failure>) {
        guard let completion else { return }
        self.completion = nil
        completion(result)
    }

    func start(sale: String?) {
        guard !started else { return }
        started = true
        if let sale {
            sales = [sale]
            return nextSale()
        }
        redis.send(key: FlashSaleKeys.sales, ["SMEMBERS", FlashSaleKeys.sales]) { [self] result in
            switch result {
            case .success(let value):
                sales = value.elements.compactMap(\.string).filter(FlashSaleKeys.isValidIdentifier).sorted()
                nextSale()
            case .failure(let error):
                finish(.failure(.init(description: "SMEMBERS \(FlashSaleKeys.sales): \(error)")))
            }
        }
    }

    private func nextSale() {
        guard !sales.isEmpty else { return finish(.success(moved)) }
        let keys = FlashSaleKeys(sale: sales.removeFirst())
        switch selection {
        case .all:
            page(keys, after: "-")
        case .ids(let ids):
            let commands = ids.map { ["XRANGE", keys.deadLetters, $0, $0] }
            redis.sendAll(key: keys.deadLetters, commands) { [self] results in
                var entries: [StreamEntry] = []
                for (index, result) in results.enumerated() {
                    guard case .success(let value) = result else {
                        return finish(.failure(.init(description: "XRANGE \(keys.deadLetters) \(ids[index]): failed")))
                    }
                    let found = StreamEntry.list(value)
                    guard !found.isEmpty else {
                        return finish(.failure(.init(description: "no dead letter \(ids[index]) in \(keys.deadLetters)")))
                    }
                    entries += found
                }
                requeue(keys, entries) { [self] in nextSale() }
            }
        }
    }

    /// Every dead letter of the sale, 500 at a time.
    private func page(_ keys: FlashSaleKeys, after: String) {
        redis.send(key: keys.deadLetters, ["XRANGE", keys.deadLetters, after, "+", "COUNT", "500"]) { [self] result in
            guard case .success(let value) = result else {
                return finish(.failure(.init(description: "XRANGE \(keys.deadLetters): failed")))
            }
            let entries = StreamEntry.list(value)
            guard let last = entries.last else { return nextSale() }
            requeue(keys, entries) { [self] in page(keys, after: "(" + last.id) }
        }
    }

    private func requeue(_ keys: FlashSaleKeys, _ entries: [StreamEntry], then: @escaping () -> Void) {
        var commands: [[String]] = []
        for entry in entries {
            guard let fields = entry.fields, let event = DeadLetter.redelivery(fields) else { continue }
            commands.append(["MULTI"])
            commands.append(["XADD", keys.events, "MAXLEN", "~", String(FlashSaleScripts.defaultEventsMaxLength), "*"] + event)
            commands.append(["XDEL", keys.deadLetters, entry.id])
            commands.append(["EXEC"])
        }
        guard !commands.isEmpty else { return then() }
        redis.sendAll(key: keys.events, commands) { [self] results in
            for (index, result) in results.enumerated() where index % 4 == 3 {
                guard case .success(let value) = result, value.elements.count == 2 else {
                    return finish(.failure(.init(description: "redelivering into \(keys.events) failed")))
                }
                moved += 1
            }
            then()
        }
    }
}
