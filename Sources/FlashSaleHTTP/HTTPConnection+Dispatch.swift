import FlashSaleLoop

/// Response flags carried by a responder.
enum ResponseFlag {
    static let head: UInt8 = 1
    static let keepAlive10: UInt8 = 2
}

extension HTTPConnection {
    /// A complete request: route it and hand it to its handler (or answer an error).
    func dispatch() {
        let startedAt = EventLoop.monotonicNanos()
        let seq = nextSeq
        nextSeq &+= 1
        var flags: UInt8 = 0
        if !parser.keepAlive || worker.draining {
            // `Connection: close`, HTTP/1.0 without keep-alive, or an Upgrade
            // (answered as a plain request): this is the last response.
            stopParsing()
        } else if parser.versionMinor == 0 {
            flags |= ResponseFlag.keepAlive10
        }
        let method = parser.method
        if method == .head { flags |= ResponseFlag.head }
        guard splitTarget() else {
            emitFailure(seq: seq, flags: flags, .badTarget, startedAt: startedAt)
            return
        }
        let router = worker.router
        let path = UnsafeRawBufferPointer(start: parser.request.base + pathStart, count: pathLength)
        switch router.match(method: method, path: path, params: params) {
        case .notFound:
            emitFailure(seq: seq, flags: flags, .notFound, startedAt: startedAt)
        case .methodNotAllowed(let pattern):
            emitFailure(seq: seq, flags: flags, .methodNotAllowed, allow: pattern, startedAt: startedAt)
        case .route(let routeIndex, let pattern):
            matchedPattern = pattern
            if router.routes[routeIndex].requiresJSON && !contentTypeIsJSON() {
                emitFailure(seq: seq, flags: flags, .needsJSON, route: routeIndex, startedAt: startedAt)
                return
            }
            router.routes[routeIndex].handler(
                HTTPRequest(connection: self),
                HTTPResponder(connection: self, sequence: seq, flags: flags, route: routeIndex, startedAt: startedAt))
        }
    }

    /// Finds path and query in the request target: origin-form `/p?q` or
    /// absolute-form `http://host/p?q`. False for anything else.
    private func splitTarget() -> Bool {
        let base = UnsafeRawPointer(parser.request.base)
        let urlLength = parser.targetLength
        var start = 0
        if urlLength == 0 { return false }
        if base.load(as: UInt8.self) != 0x2F {
            // The parser accepted the absolute form: skip the scheme and authority.
            guard let schemeLength = HTTPBytes(base, urlLength).httpSchemeLength else { return false }
            start = schemeLength
            while start < urlLength && base.load(fromByteOffset: start, as: UInt8.self) != 0x2F { start += 1 }
            if start == urlLength { return false }
        }
        var end = start
        while end < urlLength {
            let byte = base.load(fromByteOffset: end, as: UInt8.self)
            if byte == 0x3F { break }
            if byte == 0x23 { return false }  // a fragment never belongs in a request
            end += 1
        }
        pathStart = start
        pathLength = end - start
        if end < urlLength {
            queryStart = end + 1
            queryLength = urlLength - end - 1
        } else {
            queryStart = urlLength
            queryLength = 0
        }
        return true
    }

    /// `Content-Type: application/json`, parameters (`; charset=utf-8`) allowed.
    private func contentTypeIsJSON() -> Bool {
        let index = parser.contentTypeSlot
        guard index >= 0 else { return false }
        let slot = parser.headerSlots[index]
        let value = HTTPBytes(UnsafeRawPointer(parser.request.base) + Int(slot.valueStart), Int(slot.valueLength))
        guard value.hasPrefixIgnoringCase("application/json") else { return false }
        if value.count == 16 { return true }
        let next = value[16]
        return next == 0x3B || next == 0x20 || next == 0x09
    }
}
