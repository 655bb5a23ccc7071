extension RedisClient {
    /// Runs a FlashSale script call (`EVALSHA`, with the `NOSCRIPT` fallback).
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
}
