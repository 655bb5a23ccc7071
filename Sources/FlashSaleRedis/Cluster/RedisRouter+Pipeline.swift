extension RedisRouter {
    /// Sends `commands` at once and gathers every result, in order; `completion` runs once,
    /// on the loop. Each command goes to the master of `routingKey` when given, else of its
    /// own key, except that a `MULTI` … `EXEC` (or `DISCARD`) block goes whole to the master
    /// of the first key inside it, so a transaction over one slot stays one transaction on a
    /// cluster; a command of a block is never redirected or retried alone (the block fails
    /// and the caller sends it again). Standalone: one server.
    public func sendPipeline(_ commands: [[String]], routingKey: String? = nil,
                             completion: @escaping ([Result<RedisValue, RedisError>]) -> Void) {
        guard !commands.isEmpty else { return completion([]) }
        let gather = ResultGather(count: commands.count, completion: completion)
        var blockKey: String?
        var inBlock = false
        for (index, command) in commands.enumerated() {
            let name = command.first?.uppercased()
            if name == "MULTI" {
                inBlock = true
                blockKey = commands[(index + 1)...].lazy.prefix { $0.first?.uppercased() != "EXEC" }
                    .compactMap(Self.routingKey(of:)).first
            }
            let key = routingKey ?? blockKey ?? Self.routingKey(of: command)
            send(RESPCommand(command), slot: key.map(RedisSlot.init(key:)), inTransaction: inBlock) { gather.set(index, $0) }
            if name == "EXEC" || name == "DISCARD" {
                blockKey = nil
                inBlock = false
            }
        }
    }

    /// Every key matching `pattern` on every master (standalone: the one server): one
    /// `SCAN … MATCH … COUNT` walk per master, in lockstep, each to its end. `completion`
    /// runs once, on the loop, with the keys sorted, or the first transport error (a
    /// change of the masters in the middle fails the walk: scan again).
    public func scanEveryMaster(match pattern: String, count: Int = 1000,
                                completion: @escaping (Result<[String], RedisError>) -> Void) {
        let masters = clients.count
        guard masters > 0 else { return completion(.failure(.notConnected(lastError))) }
        scanStep(pattern, count, cursors: Array(repeating: "0", count: masters),
                 open: Array(repeating: true, count: masters), found: [], completion)
    }

    private func scanStep(_ pattern: String, _ count: Int, cursors: [String], open: [Bool], found: Set<String>,
                          _ completion: @escaping (Result<[String], RedisError>) -> Void) {
        // A master whose walk ended gets a PING, so every reply index stays its master's.
        sendToEveryMaster({ index in
            open[index] ? ["SCAN", cursors[index], "MATCH", pattern, "COUNT", String(count)] : ["PING"]
        }) { [unowned self] results in
            guard results.count == cursors.count else {
                return completion(.failure(.connectionLost("the cluster's masters changed during SCAN")))
            }
            var cursors = cursors, open = open, found = found
            for (index, result) in results.enumerated() where open[index] {
                switch result {
                case .failure(let error): return completion(.failure(error))
                case .success(let reply):
                    let parts = reply.elements
                    guard parts.count == 2, let next = parts[0].string else {
                        return completion(.failure(.server("unexpected SCAN reply")))
                    }
                    for key in parts[1].elements { if let key = key.string { found.insert(key) } }
                    cursors[index] = next
                    if next == "0" { open[index] = false }
                }
            }
            if open.contains(true) {
                scanStep(pattern, count, cursors: cursors, open: open, found: found, completion)
            } else {
                completion(.success(found.sorted()))
            }
        }
    }
}
