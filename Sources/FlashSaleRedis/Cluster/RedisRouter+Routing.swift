import FlashSaleLoop

/// One command on its way through a cluster: what to send, where, and how many
/// redirects and retries it has used.
final class RoutedCommand {
    enum Payload {
        case command(RESPCommand)
        case script(RedisScript, numKeys: Int, arguments: RESPBulkWriter)
    }

    let payload: Payload
    /// nil: any master.
    let slot: RedisSlot?
    var redirects = 0
    var retries = 0
    /// Part of a `MULTI` … `EXEC` block: never resent alone (it would run outside the
    /// transaction); a redirect or a retryable error fails it, and so the block.
    var inTransaction = false
    /// Set by an `ASK`: the node to send `ASKING` and the command to, once.
    var askNode: RedisClient?
    var dueMillis: UInt64 = 0
    private var completion: ((Result<RedisValue, RedisError>) -> Void)?

    init(_ payload: Payload, slot: RedisSlot?, completion: @escaping (Result<RedisValue, RedisError>) -> Void) {
        self.payload = payload
        self.slot = slot
        self.completion = completion
    }

    /// Runs the completion once; later calls do nothing.
    func complete(_ result: Result<RedisValue, RedisError>) {
        guard let completion else { return }
        self.completion = nil
        completion(result)
    }
}

extension RedisRouter {
    /// Sends a command (`["HGET", key, field]`), routed by its first key (see the type's
    /// documentation); `completion` gets the reply. An error reply is `.failure(.server)`.
    public func send(_ arguments: [String], completion: @escaping (Result<RedisValue, RedisError>) -> Void) {
        if mode == .standalone, let single { return single.send(arguments, completion: completion) }
        send(RESPCommand(arguments), slot: Self.routingKey(of: arguments).map(RedisSlot.init(key:)), completion: completion)
    }

    /// Sends a command routed by `routingKey` (nil: any master).
    public func send(_ arguments: [String], routingKey: String?, completion: @escaping (Result<RedisValue, RedisError>) -> Void) {
        if mode == .standalone, let single { return single.send(arguments, completion: completion) }
        send(RESPCommand(arguments), slot: routingKey.map(RedisSlot.init(key:)), completion: completion)
    }

    /// Sends an encoded command to the master of `slot` (nil: any master).
    public func send(_ command: RESPCommand, slot: RedisSlot?, completion: @escaping (Result<RedisValue, RedisError>) -> Void) {
        send(command, slot: slot, inTransaction: false, completion: completion)
    }

    /// The same, for one command of a `MULTI` … `EXEC` block (`inTransaction`: not resent alone).
    func send(_ command: RESPCommand, slot: RedisSlot?, inTransaction: Bool,
              completion: @escaping (Result<RedisValue, RedisError>) -> Void) {
        if mode == .standalone, let single { return single.send(command, completion: completion) }
        let routed = RoutedCommand(.command(command), slot: slot, completion: completion)
        routed.inTransaction = inTransaction
        submit(routed)
    }

    /// Runs `script` (`EVALSHA`, `EVAL` on `NOSCRIPT`) on the master of `keys[0]`'s slot.
    public func evalScript(
        _ script: RedisScript, keys: [String], args: [String],
        completion: @escaping (Result<RedisValue, RedisError>) -> Void
    ) {
        if mode == .standalone, let single {
            return single.evalScript(script, keys: keys, args: args, completion: completion)
        }
        var arguments = RESPBulkWriter(capacity: 64 * (keys.count + args.count))
        for key in keys { arguments.argument(key) }
        for arg in args { arguments.argument(arg) }
        let slot = keys.first.map(RedisSlot.init(key:))
        submit(RoutedCommand(.script(script, numKeys: keys.count, arguments: arguments), slot: slot, completion: completion))
    }

    /// Runs `script` with `numKeys` keys and its arguments already encoded, on the master
    /// of `slot` (the slot of its keys' hash tag, computed once by the caller).
    public func evalScript(
        _ script: RedisScript, numKeys: Int, arguments: RESPBulkWriter, slot: RedisSlot,
        completion: @escaping (Result<RedisValue, RedisError>) -> Void
    ) {
        if mode == .standalone, let single {
            return single.evalScript(script, numKeys: numKeys, arguments: arguments, completion: completion)
        }
        submit(RoutedCommand(.script(script, numKeys: numKeys, arguments: arguments), slot: slot, completion: completion))
    }

    /// Sends `arguments` to every master (standalone: the one server) and calls
    /// `completion` once with each master's result, in ``clients`` order (e.g. `SCAN`,
    /// `KEYS`, `FLUSHALL`, which see one node's keys only).
    public func sendToEveryMaster(_ arguments: [String], completion: @escaping ([Result<RedisValue, RedisError>]) -> Void) {
        sendToEveryMaster({ _ in arguments }, completion: completion)
    }

    /// Sends `command(i)` to the i-th master (e.g. each master's own `SCAN` cursor); the
    /// same rules as above. No master known yet: one `.notConnected` result.
    public func sendToEveryMaster(
        _ command: (Int) -> [String], completion: @escaping ([Result<RedisValue, RedisError>]) -> Void
    ) {
        let targets = clients
        guard !targets.isEmpty else { return completion([.failure(.notConnected(lastError))]) }
        let gather = ResultGather(count: targets.count, completion: completion)
        for (index, client) in targets.enumerated() {
            client.send(command(index)) { gather.set(index, $0) }
        }
    }

    /// Adds `script` to the scripts every connection loads, now and on every reconnect.
    public func register(_ script: RedisScript) {
        if !extraScripts.contains(script) { extraScripts.append(script) }
        for client in clients { client.register(script) }
    }

    /// The key a command is routed by: `arguments[1]`, or for `EVAL`/`EVALSHA`/`FCALL`
    /// the first key after `numkeys`; nil for a command without a key.
    public static func routingKey(of arguments: [String]) -> String? {
        guard arguments.count >= 2 else { return nil }
        switch arguments[0].uppercased() {
        case "EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO":
            guard arguments.count >= 4, let keys = Int(arguments[2]), keys > 0 else { return nil }
            return arguments[3]
        case "PING", "INFO", "TIME", "CLUSTER", "SCRIPT", "SCAN", "KEYS", "DBSIZE", "FLUSHALL", "FLUSHDB",
             "CONFIG", "CLIENT", "ACL", "WAIT", "MULTI", "EXEC", "DISCARD", "AUTH", "SELECT", "ECHO", "MEMORY", "LATENCY", "SLOWLOG":
            return nil
        default:
            return arguments[1]
        }
    }

    // MARK: - Cluster dispatch

    private func submit(_ routed: RoutedCommand) {
        guard mode == .cluster, !isClosing else {
            return routed.complete(.failure(isClosing ? .closed : .notConnected(lastError)))
        }
        guard routedInFlight < configuration.connection.maxInFlight else {
            return routed.complete(.failure(.overloaded))
        }
        routedInFlight += 1
        dispatch(routed)
    }

    func finish(_ routed: RoutedCommand, _ result: Result<RedisValue, RedisError>) {
        routedInFlight -= 1
        routed.complete(result)
    }

    private func dispatch(_ routed: RoutedCommand) {
        let asking = routed.askNode
        routed.askNode = nil
        let target: RedisClient?
        if let asking {
            target = asking
        } else if let slot = routed.slot {
            target = map.master(of: slot).flatMap { $0 < masterClients.count ? masterClients[$0] : nil }
        } else {
            target = masterClients.first { $0.health == .up } ?? masterClients.first
        }
        guard let target, target.canAcceptCommand else {
            let why = target.map { "\($0.configuration.endpoint) not connected: \($0.lastError)" }
                ?? "no master for slot \(routed.slot.map(String.init(describing:)) ?? "-")"
            routed.askNode = asking
            return retryLater(routed, .notConnected(why))
        }
        if asking != nil { target.send(["ASKING"]) { _ in } }
        let reply: (Result<RedisValue, RedisError>) -> Void = { [unowned self, unowned target] result in
            self.answered(routed, by: target, result)
        }
        switch routed.payload {
        case .command(let command):
            target.send(command, completion: reply)
        case .script(let script, let numKeys, let arguments):
            target.evalScript(script, numKeys: numKeys, arguments: arguments, completion: reply)
        }
    }

    private func answered(_ routed: RoutedCommand, by node: RedisClient, _ result: Result<RedisValue, RedisError>) {
        guard !isClosing else { return finish(routed, result) }
        if routed.inTransaction, case .failure = result {
            // Resent alone it would run outside its transaction: the block fails (EXEC
            // answers EXECABORT or fails too) and its caller sends the whole block again.
            refreshMap()
            return finish(routed, result)
        }
        switch result {
        case .failure(.server(let message)):
            if let redirect = ClusterRedirect(errorMessage: message) {
                return follow(redirect, routed, from: node, result)
            }
            if message.hasPrefix("TRYAGAIN") || message.hasPrefix("CLUSTERDOWN") {
                return retryLater(routed, .server(message))
            }
            finish(routed, result)
        case .failure(.notConnected(let why)):
            // Not sent: safe to send again once the master (or the map) is back.
            refreshMap()
            retryLater(routed, .notConnected(why))
        case .failure(.connectionLost), .failure(.timeout):
            // It may have run: never resent; the map may have changed (failover).
            refreshMap()
            finish(routed, result)
        default:
            finish(routed, result)
        }
    }

    private func follow(_ redirect: ClusterRedirect, _ routed: RoutedCommand, from node: RedisClient,
                        _ result: Result<RedisValue, RedisError>) {
        routed.redirects += 1
        guard routed.redirects <= configuration.maxRedirects else { return finish(routed, result) }
        let endpoint = redirect.endpoint(answeredBy: node.configuration.endpoint)
        switch redirect.kind {
        case .moved:
            counters.moved += 1
            let client = self.node(endpoint)  // before the map changes (see apply)
            if let index = try? map.assign(redirect.slot, to: endpoint), index == masterClients.count {
                masterClients.append(client)
            }
            refreshMap()
        case .ask:
            counters.asked += 1
            routed.askNode = self.node(endpoint)
        }
        dispatch(routed)
    }

    /// Sends `routed` again after a doubling delay, or fails it with `error` when its
    /// retries are used up.
    private func retryLater(_ routed: RoutedCommand, _ error: RedisError) {
        guard routed.retries < configuration.maxRetries, !isClosing else { return finish(routed, .failure(error)) }
        routed.retries += 1
        counters.retries += 1
        routed.dueMillis = loop.nowMillis + configuration.retryBaseMillis << UInt64(routed.retries - 1)
        retries.append(routed)
        armRetryTimer()
    }

    private func armRetryTimer() {
        guard let due = retries.map(\.dueMillis).min() else { return }
        let now = loop.nowMillis
        retryTimer.start(afterMillis: due > now ? due - now : 0) { [unowned self] in self.runDueRetries() }
    }

    private func runDueRetries() {
        let now = loop.nowMillis
        let due = retries.filter { $0.dueMillis <= now }
        retries.removeAll { $0.dueMillis <= now }
        for routed in due { dispatch(routed) }
        armRetryTimer()
    }
}
