import FlashSaleLoop

/// Encoding responses into the output buffer, in request order.
extension HTTPConnection {
    /// Whether `seq` still waits for its answer on an open connection.
    func isAwaiting(_ seq: UInt32) -> Bool {
        guard state != .closed else { return false }
        let ahead = seq &- sendSeq
        guard ahead < pendingResponses else { return false }
        if ahead == 0 { return !streaming }
        for entry in parkedEntries where entry.seq == seq { return false }
        return true
    }

    /// Encodes a response for `seq` with `encode(buffer)` into the output (if
    /// it is next in order) or the parking buffer, then releases what became
    /// sendable. Drops it if the connection closed or `seq` was answered; an answer
    /// that is given is first reported to the router's observer (once per request).
    /// `route` -1: the server answered itself.
    @inline(__always)
    func emit(seq: UInt32, status: HTTPStatus, route: Int, startedAt: UInt64, _ encode: (ByteBuffer) -> Void) {
        guard isAwaiting(seq) else { return }
        if let observer = worker.router.onAnswer {
            let now = startedAt == 0 ? 0 : EventLoop.monotonicNanos()
            observer(route >= 0 ? route : nil, status, now &- startedAt)
        }
        if seq == sendSeq {
            encode(out)
            sendSeq &+= 1
            if !parkedEntries.isEmpty { releaseParked() }
        } else {
            let buffer: ByteBuffer
            if let parked { buffer = parked } else {
                buffer = ByteBuffer(capacity: 1024)
                parked = buffer
            }
            let start = buffer.count
            encode(buffer)
            parkedEntries.append((seq, start, buffer.count - start))
        }
        if !inRead { worker.scheduleFlush(self) }
    }

    private func releaseParked() {
        guard let parked else { return }
        var found = true
        while found {
            found = false
            for (index, entry) in parkedEntries.enumerated() where entry.seq == sendSeq {
                out.append(parked.base + entry.start, entry.length)
                sendSeq &+= 1
                parkedEntries.remove(at: index)
                found = true
                break
            }
        }
        if parkedEntries.isEmpty { parked.count = 0 }
    }

    /// Whether the response for `seq` is the connection's last.
    @inline(__always)
    func closesAfter(_ seq: UInt32) -> Bool { closing && seq &+ 1 == nextSeq }

    /// Status line and headers, with `Content-Length: bodyLength` (none when
    /// `bodyLength` is negative: a streamed body that ends with the connection).
    @inline(__always)
    func writeHead(
        into buffer: ByteBuffer, seq: UInt32, flags: UInt8, status: HTTPStatus, contentType: HTTPContentType,
        bodyLength: Int, headers: (inout HTTPHeaderWriter) -> Void
    ) {
        buffer.append("HTTP/1.1 ")
        buffer.append(status.line)
        buffer.append("\r\n")
        if !contentType.isNone {
            buffer.append("Content-Type: ")
            buffer.append(contentType.value)
            buffer.append("\r\n")
        }
        if bodyLength >= 0 && status.code >= 200 && status.code != 204 {
            buffer.append("Content-Length: ")
            buffer.append(decimal: bodyLength)
            buffer.append("\r\n")
        }
        buffer.append(UnsafeRawPointer(worker.dateLine), HTTPDate.lineLength)
        if closesAfter(seq) {
            buffer.append("Connection: close\r\n")
        } else if flags & ResponseFlag.keepAlive10 != 0 {
            buffer.append("Connection: keep-alive\r\n")
        }
        var writer = HTTPHeaderWriter(buffer: buffer)
        headers(&writer)
        buffer.append("\r\n")
    }

    /// A response whose body is known up front.
    func emit(
        seq: UInt32, flags: UInt8, status: HTTPStatus, contentType: HTTPContentType,
        body: UnsafeRawBufferPointer, headers: (inout HTTPHeaderWriter) -> Void, route: Int = -1, startedAt: UInt64 = 0
    ) {
        emit(seq: seq, status: status, route: route, startedAt: startedAt) { buffer in
            writeHead(into: buffer, seq: seq, flags: flags, status: status, contentType: contentType,
                      bodyLength: body.count, headers: headers)
            if flags & ResponseFlag.head == 0 { buffer.append(body) }
        }
    }

    /// A response whose body is written by `body` (its length is learnt after).
    func emitBuilding(
        seq: UInt32, flags: UInt8, status: HTTPStatus, contentType: HTTPContentType,
        headers: (inout HTTPHeaderWriter) -> Void, body: (inout HTTPBodyWriter) -> Void,
        route: Int = -1, startedAt: UInt64 = 0
    ) {
        emit(seq: seq, status: status, route: route, startedAt: startedAt) { buffer in
            // Body first, then the head after it; then rotate the head to the front.
            let bodyStart = buffer.count
            var writer = HTTPBodyWriter(buffer: buffer)
            body(&writer)
            let bodyLength = buffer.count - bodyStart
            writeHead(into: buffer, seq: seq, flags: flags, status: status, contentType: contentType,
                      bodyLength: bodyLength, headers: headers)
            let headLength = buffer.count - bodyStart - bodyLength
            let scratch = worker.scratch
            scratch.count = 0
            scratch.append(buffer.base + bodyStart + bodyLength, headLength)
            if flags & ResponseFlag.head != 0 {
                (buffer.base + bodyStart).copyMemory(from: scratch.base, byteCount: headLength)
                buffer.count = bodyStart + headLength
            } else {
                (buffer.base + bodyStart + headLength).copyMemory(from: buffer.base + bodyStart, byteCount: bodyLength)
                (buffer.base + bodyStart).copyMemory(from: scratch.base, byteCount: headLength)
            }
        }
    }

    /// The server's own error answers (the DESIGN error object).
    func emitFailure(
        seq: UInt32, flags: UInt8, _ failure: HTTPFailure, allow pattern: Int? = nil, route: Int = -1, startedAt: UInt64 = 0
    ) {
        let allow = pattern.map { worker.router.patterns[$0].allow }
        emitBuilding(seq: seq, flags: flags, status: failure.status, contentType: .json, headers: { writer in
            if let allow { allow.withUnsafeBytes { writer.buffer.append($0) } }
        }, body: { body in
            body.append("{\"error\":{\"code\":\"")
            body.append(failure.code.code)
            body.append("\",\"message\":\"")
            body.append(failure.message)
            body.append("\"}}")
        }, route: route, startedAt: startedAt)
    }
}
