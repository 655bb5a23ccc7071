import CHiredis
import FlashSaleLoop

extension RedisClient {
    /// Sends a command (`["SET", key, value]`); `completion` gets the reply.
    ///
    /// An error reply becomes `.failure(.server(message))`. Rejected at once
    /// (synchronously) with ``RedisError/notConnected(_:)`` unless the client
    /// is up, and with ``RedisError/overloaded`` when ``RedisClientConfiguration/maxInFlight``
    /// commands are already in flight.
    public func send(_ arguments: [String], completion: @escaping (Result<RedisValue, RedisError>) -> Void) {
        send(RESPCommand(arguments), completion: completion)
    }

    /// Sends one command already encoded in RESP. Same rules as ``send(_:completion:)``.
    public func send(_ command: RESPCommand, completion: @escaping (Result<RedisValue, RedisError>) -> Void) {
        guard health == .up, context != nil else {
            counters.rejectedNotConnected += 1
            completion(.failure(isClosing ? .closed : .notConnected(lastError)))
            return
        }
        guard inFlight < configuration.maxInFlight else {
            counters.rejectedOverloaded += 1
            completion(.failure(.overloaded))
            return
        }
        enqueue(command, completion: completion)
    }

    /// Whether a command sent now would be accepted (up, and below the in-flight bound).
    public var canAcceptCommand: Bool {
        health == .up && context != nil && inFlight < configuration.maxInFlight
    }

    /// Hands a command to hiredis with a retained box as privdata.
    func enqueue(_ command: RESPCommand, completion: @escaping (Result<RedisValue, RedisError>) -> Void) {
        guard let ac = context else {
            completion(.failure(.notConnected(lastError)))
            return
        }
        let box = RedisCommandBox(client: self, deadline: loop.nowMillis + configuration.commandTimeoutMillis, completion: completion)
        let privdata = Unmanaged.passRetained(box).toOpaque()
        let rc = command.bytes.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { chars in
                redisAsyncFormattedCommand(ac, { ac, reply, privdata in
                    guard let privdata else { return }
                    let box = Unmanaged<RedisCommandBox>.fromOpaque(privdata).takeRetainedValue()
                    box.client.didReply(box, ac, reply)
                }, privdata, chars.baseAddress, chars.count)
            }
        }
        guard rc == REDIS_OK else {
            // hiredis did not take the command: its callback will never run.
            Unmanaged<RedisCommandBox>.fromOpaque(privdata).release()
            completion(.failure(.notConnected("hiredis refused the command (disconnecting)")))
            return
        }
        counters.commandsSent += 1
        inFlight += 1
        pending.append(box)
    }

    /// A reply (or NULL: the context is going away) for `box`.
    func didReply(_ box: RedisCommandBox, _ ac: UnsafeMutablePointer<redisAsyncContext>?, _ reply: UnsafeMutableRawPointer?) {
        callbackDepth += 1
        defer { callbackDepth -= 1 }
        box.done = true
        inFlight -= 1
        while let first = pending.first, first.done { pending.popFirst() }
        let result: Result<RedisValue, RedisError>
        if let reply {
            let value = RedisValue(reply: reply.assumingMemoryBound(to: redisReply.self))
            if case .error(let message) = value {
                result = .failure(.server(message))
            } else {
                result = .success(value)
            }
        } else {
            if let ac, context == ac {
                // hiredis is freeing the context after an I/O error: stop using it
                // now so completions cannot submit to a dying context.
                contextLost(ac)
            }
            if box.timedOut {
                result = .failure(.timeout)
            } else if isClosing {
                result = .failure(.closed)
            } else {
                result = .failure(.connectionLost(lastError))
            }
        }
        box.complete(result)
    }

    /// The watchdog: a command past its deadline fails with `.timeout`, and
    /// the connection is dropped (the others in flight fail with `.connectionLost`).
    func checkDeadlines() {
        guard context != nil, let oldest = pending.first else { return }
        let now = loop.nowMillis
        guard now >= oldest.deadline else { return }
        var expired = 0
        pending.forEachWhile { box in
            guard now >= box.deadline else { return false }
            if !box.done { box.timedOut = true; expired += 1 }
            return true
        }
        counters.timeouts += expired
        let why = "\(expired) command(s) got no reply within \(configuration.commandTimeoutMillis) ms"
        teardown(reason: why)
    }
}
