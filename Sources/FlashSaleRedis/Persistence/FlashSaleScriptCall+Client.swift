extension RedisRouter {
    /// Runs a FlashSale script call on the master of its first key (`EVALSHA`, with the
    /// `NOSCRIPT` fallback).
    public func run(_ call: FlashSaleScriptCall, completion: @escaping (Result<RedisValue, RedisError>) -> Void) {
        evalScript(call.script, keys: call.keys, args: call.arguments, completion: completion)
    }

    /// Runs several script calls at once; `completion` gets every result, in order.
    public func runAll(_ calls: [FlashSaleScriptCall], completion: @escaping ([Result<RedisValue, RedisError>]) -> Void) {
        guard !calls.isEmpty else { return completion([]) }
        let gather = ResultGather(count: calls.count, completion: completion)
        for (index, call) in calls.enumerated() {
            run(call) { gather.set(index, $0) }
        }
    }

    /// Sends several commands at once, each routed by its own key; `completion` gets every
    /// result, in order.
    public func sendAll(_ commands: [[String]], completion: @escaping ([Result<RedisValue, RedisError>]) -> Void) {
        guard !commands.isEmpty else { return completion([]) }
        let gather = ResultGather(count: commands.count, completion: completion)
        for (index, command) in commands.enumerated() {
            send(command) { gather.set(index, $0) }
        }
    }
}
