extension RedisClient {
    /// Runs `script` with `EVALSHA` (the SHA1 learned from `SCRIPT LOAD` on this
    /// connection). If Redis answers `NOSCRIPT` (e.g. after `SCRIPT FLUSH` or a
    /// failover) the call is retried once with `EVAL` and the source, which
    /// also caches the script in Redis again. A script the client has not
    /// loaded yet is sent with `EVAL` and loaded in the background.
    ///
    /// Scripts listed in ``RedisClientConfiguration/scripts`` are loaded before
    /// the client reports `up`; others can be added with ``register(_:)``.
    public func evalScript(
        _ script: RedisScript, keys: [String], args: [String],
        completion: @escaping (Result<RedisValue, RedisError>) -> Void
    ) {
        let numKeys = String(keys.count)
        guard let loaded = scriptSHAs[script.name], loaded.source == script.source else {
            send(RESPCommand(head: ["EVAL", script.source, numKeys], keys: keys, args: args), completion: completion)
            if health == .up { register(script) }
            return
        }
        send(RESPCommand(head: ["EVALSHA", loaded.sha, numKeys], keys: keys, args: args)) { [unowned self] result in
            if case .failure(.server(let message)) = result, message.hasPrefix("NOSCRIPT") {
                self.counters.noscriptFallbacks += 1
                self.send(RESPCommand(head: ["EVAL", script.source, numKeys], keys: keys, args: args), completion: completion)
                return
            }
            completion(result)
        }
    }

    /// Runs `script` with its `numKeys` keys and then its arguments already encoded in
    /// `arguments` (the same EVALSHA / NOSCRIPT fallback as above).
    public func evalScript(
        _ script: RedisScript, numKeys: Int, arguments: RESPBulkWriter,
        completion: @escaping (Result<RedisValue, RedisError>) -> Void
    ) {
        let keyCount = String(numKeys)
        guard let loaded = scriptSHAs[script.name], loaded.source == script.source else {
            send(RESPCommand(head: ["EVAL", script.source, keyCount], arguments: arguments), completion: completion)
            if health == .up { register(script) }
            return
        }
        send(RESPCommand(head: ["EVALSHA", loaded.sha, keyCount], arguments: arguments)) { [unowned self] result in
            if case .failure(.server(let message)) = result, message.hasPrefix("NOSCRIPT") {
                self.counters.noscriptFallbacks += 1
                self.send(RESPCommand(head: ["EVAL", script.source, keyCount], arguments: arguments), completion: completion)
                return
            }
            completion(result)
        }
    }

    /// Adds `script` to the scripts loaded on every (re)connect and loads it
    /// now if the client is up.
    public func register(_ script: RedisScript) {
        if !configuration.scripts.contains(where: { $0.name == script.name && $0.source == script.source }),
           !extraScripts.contains(where: { $0.name == script.name && $0.source == script.source }) {
            extraScripts.append(script)
        }
        guard health == .up else { return }
        send(["SCRIPT", "LOAD", script.source]) { [unowned self] result in
            if case .success(let value) = result, let sha = value.string {
                self.scriptSHAs[script.name] = (script.source, sha)
            }
        }
    }

    /// The SHA1 Redis gave `script` on this connection, if loaded.
    public func loadedSHA(of script: RedisScript) -> String? {
        guard let loaded = scriptSHAs[script.name], loaded.source == script.source else { return nil }
        return loaded.sha
    }
}
