extension RedisClient {
    /// Sends several commands at once (they leave in one write) and calls `completion`
    /// once with every result, in order, when all have completed.
    public func sendAll(_ commands: [[String]], completion: @escaping ([Result<RedisValue, RedisError>]) -> Void) {
        guard !commands.isEmpty else { return completion([]) }
        let gather = ResultGather(count: commands.count, completion: completion)
        for (index, command) in commands.enumerated() {
            send(command) { gather.set(index, $0) }
        }
    }
}

/// Collects the results of a fixed number of commands (loop thread only).
final class ResultGather {
    private var results: [Result<RedisValue, RedisError>?]
    private var remaining: Int
    private var completion: (([Result<RedisValue, RedisError>]) -> Void)?

    init(count: Int, completion: @escaping ([Result<RedisValue, RedisError>]) -> Void) {
        results = Array(repeating: nil, count: count)
        remaining = count
        self.completion = completion
    }

    func set(_ index: Int, _ result: Result<RedisValue, RedisError>) {
        guard results[index] == nil else { return }
        results[index] = result
        remaining -= 1
        if remaining == 0, let completion {
            self.completion = nil
            completion(results.map { $0! })
        }
    }
}
