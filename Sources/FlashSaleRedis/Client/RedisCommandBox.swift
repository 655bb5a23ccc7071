/// One command in flight: the `privdata` hiredis carries to the reply callback.
///
/// Retained (`passRetained`) when handed to hiredis and taken back
/// (`takeRetainedValue`) exactly once, in the reply callback, which hiredis
/// runs exactly once per command: with the reply, or with NULL when the
/// context is freed. If the C call fails it is released at once.
final class RedisCommandBox {
    let client: RedisClient
    let deadline: UInt64
    /// Set when the command's deadline passed and the connection was dropped for it.
    var timedOut = false
    /// Set once the reply callback has run.
    var done = false
    private var completion: ((Result<RedisValue, RedisError>) -> Void)?

    init(client: RedisClient, deadline: UInt64, completion: @escaping (Result<RedisValue, RedisError>) -> Void) {
        self.client = client
        self.deadline = deadline
        self.completion = completion
    }

    /// Runs the completion once; later calls do nothing.
    func complete(_ result: Result<RedisValue, RedisError>) {
        guard let completion else { return }
        self.completion = nil
        completion(result)
    }
}
