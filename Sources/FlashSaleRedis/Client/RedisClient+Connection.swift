import CHiredis
import CHiredisUV
import FlashSaleLoop

extension RedisClient {
    /// One connection attempt: TCP connect (non-blocking), then the handshake.
    func connect() {
        guard !isClosing, context == nil else { return }
        counters.connectAttempts += 1
        generation &+= 1
        setHealth(.connecting, lastError)
        let endpoint = configuration.endpoint
        guard let ac = redisAsyncConnect(endpoint.host, Int32(endpoint.port)) else {
            connectFailed("redisAsyncConnect: out of memory")
            return
        }
        if ac.pointee.err != 0 {
            let why = RedisClient.errorText(ac)
            redisAsyncFree(ac)  // no callbacks set, nothing attached: plain free
            connectFailed("connect to \(endpoint): \(why)")
            return
        }
        // Attach before setting the connect callback (which arms write interest).
        if fs_hiredis_uv_attach(ac, loop.rawLoopPointer) != REDIS_OK {
            redisAsyncFree(ac)
            connectFailed("connect to \(endpoint): cannot attach to the event loop")
            return
        }
        // The context holds a reference to the client until hiredis is done with it.
        ac.pointee.data = Unmanaged.passRetained(self).toOpaque()
        redisAsyncSetConnectCallback(ac) { ac, status in
            guard let ac, let data = ac.pointee.data else { return }
            let client = Unmanaged<RedisClient>.fromOpaque(data).takeUnretainedValue()
            client.didConnect(ac, status: status)
        }
        redisAsyncSetDisconnectCallback(ac) { ac, status in
            guard let ac, let data = ac.pointee.data else { return }
            // hiredis frees the context after this returns: release its reference.
            let client = Unmanaged<RedisClient>.fromOpaque(data).takeRetainedValue()
            client.didDisconnect(ac, status: status)
        }
        context = ac
        tcpConnected = false
        connectTimer.start(afterMillis: configuration.connectTimeoutMillis) { [unowned self] in
            self.lastError = "connect to \(self.configuration.endpoint): timed out after \(self.configuration.connectTimeoutMillis) ms"
            self.teardown(reason: self.lastError)
        }
    }

    private func connectFailed(_ why: String) {
        failedAttempts += 1
        setHealth(.down, why)
        scheduleReconnect()
    }

    /// hiredis' connect callback. On failure hiredis frees the context right
    /// after this returns and never calls the disconnect callback.
    func didConnect(_ ac: UnsafePointer<redisAsyncContext>, status: Int32) {
        guard status == REDIS_OK else {
            let why = "connect to \(configuration.endpoint): \(RedisClient.errorText(ac))"
            // Drop our pointer and the context's reference to us.
            if let data = ac.pointee.data { Unmanaged<RedisClient>.fromOpaque(data).release() }
            if UnsafePointer(context) == ac { context = nil }
            connectTimer.stop()
            if !isClosing { connectFailed(why) }
            return
        }
        tcpConnected = true
        sendHandshake()
    }

    /// hiredis' disconnect callback: after an error, or inside our own `redisAsyncFree`.
    func didDisconnect(_ ac: UnsafePointer<redisAsyncContext>, status: Int32) {
        if UnsafePointer(context) == ac {
            // Redis went away (EOF, reset): hiredis is freeing the context.
            contextLost(ac)
        }
        // Also when a NULL reply already detached the context (see didReply).
        scheduleReconnect()
    }

    /// hiredis is freeing `ac`, the current context: forget it, count the failed
    /// connection and report the loss (unless closing).
    func contextLost(_ ac: UnsafePointer<redisAsyncContext>) {
        context = nil
        tcpConnected = false
        failedAttempts += 1
        connectTimer.stop()
        if !isClosing {
            setHealth(.down, "connection to \(configuration.endpoint) lost: \(RedisClient.errorText(ac))")
        }
    }

    /// AUTH / SELECT / SCRIPT LOAD (or PING): the client is up when all succeed.
    private func sendHandshake() {
        var steps: [(RESPCommand, (RedisValue) -> Void)] = []
        let endpoint = configuration.endpoint
        if let password = endpoint.password {
            let auth = endpoint.user.map { ["AUTH", $0, password] } ?? ["AUTH", password]
            steps.append((RESPCommand(auth), { _ in }))
        }
        if endpoint.database != 0 {
            steps.append((RESPCommand(["SELECT", String(endpoint.database)]), { _ in }))
        }
        scriptSHAs.removeAll()
        for script in configuration.scripts + extraScripts {
            steps.append((RESPCommand(["SCRIPT", "LOAD", script.source]), { [unowned self] value in
                if let sha = value.string { self.scriptSHAs[script.name] = (script.source, sha) }
            }))
        }
        if steps.isEmpty { steps.append((RESPCommand(["PING"]), { _ in })) }
        handshakeRemaining = steps.count
        let attempt = generation
        for (command, onSuccess) in steps {
            enqueue(command) { [unowned self] result in
                guard attempt == self.generation, !self.isClosing else { return }
                switch result {
                case .success(let value):
                    onSuccess(value)
                    self.handshakeRemaining -= 1
                    if self.handshakeRemaining == 0 { self.becameUp() }
                case .failure(let error):
                    guard self.handshakeRemaining > 0 else { return }
                    self.handshakeRemaining = 0
                    self.failedAttempts += 1
                    let why = "handshake with \(self.configuration.endpoint) failed: \(error)"
                    self.setHealth(.down, why)
                    self.teardown(reason: why)
                }
            }
        }
    }

    private func becameUp() {
        connectTimer.stop()
        failedAttempts = 0
        counters.connectionsUp += 1
        setHealth(.up, lastError)
    }

    /// Drops the connection (freeing the hiredis context, which completes every
    /// pending command) and schedules a reconnect unless closing. Never frees
    /// the context from inside one of its callbacks: deferred to a 0 ms timer then.
    func teardown(reason: String) {
        guard context != nil else { return }
        if callbackDepth > 0 {
            if deferredTeardown == nil {
                deferredTeardown = reason
                deferTimer.start(afterMillis: 0) { [unowned self] in self.runDeferredTeardown() }
            }
            return
        }
        freeContext(reason: reason)
    }

    private func runDeferredTeardown() {
        guard let reason = deferredTeardown else { return }
        deferredTeardown = nil
        if context != nil { freeContext(reason: reason) }
        if isClosing { closeTimers() }
    }

    private func freeContext(reason: String) {
        guard let ac = context else { return }
        context = nil
        let wasTCPConnected = tcpConnected
        tcpConnected = false
        connectTimer.stop()
        if !isClosing {
            failedAttempts += 1
            setHealth(.down, reason)
        }
        // Runs every pending reply callback with NULL, then (if connected) the
        // disconnect callback, which releases the context's reference to us.
        let data = ac.pointee.data
        redisAsyncFree(ac)
        if !wasTCPConnected, let data {
            // Not connected yet: hiredis calls neither callback; release here.
            Unmanaged<RedisClient>.fromOpaque(data).release()
        }
        if !isClosing { scheduleReconnect() }
    }

    func scheduleReconnect() {
        guard !isClosing, context == nil, !reconnectTimer.isActive else { return }
        let shift = UInt64(min(failedAttempts, 20))
        let ceiling = min(configuration.reconnectMaxMillis, configuration.reconnectBaseMillis << shift)
        // Jitter: a random delay in [ceiling/2, ceiling] so many clients do not reconnect in step.
        let delay = ceiling / 2 + UInt64.random(in: 0...max(1, ceiling - ceiling / 2))
        reconnectTimer.start(afterMillis: delay) { [unowned self] in self.connect() }
    }

    /// The context's error text (`c.errstr`; `ac->errstr` is only set later by hiredis).
    static func errorText(_ ac: UnsafePointer<redisAsyncContext>) -> String {
        let text = withUnsafeBytes(of: ac.pointee.c.errstr) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return text.isEmpty ? "connection closed" : text
    }
}
