/// Streamed answers (Server-Sent Events): the head now, the body in pieces,
/// the end of the body = the end of the connection.
extension HTTPConnection {
    /// Writes the head of a streamed answer for `seq` (no `Content-Length`,
    /// `Connection: close`) and stops taking requests. Refused (false) unless
    /// `seq` is the oldest unanswered request and the last one parsed.
    func beginStream(
        seq: UInt32, flags: UInt8, status: HTTPStatus, contentType: HTTPContentType,
        headers: (inout HTTPHeaderWriter) -> Void
    ) -> Bool {
        guard state == .open, !streaming, seq == sendSeq, seq &+ 1 == nextSeq, isAwaiting(seq) else { return false }
        stopParsing()
        writeHead(into: out, seq: seq, flags: flags, status: status, contentType: contentType,
                  bodyLength: -1, headers: headers)
        streaming = true
        if flags & ResponseFlag.head != 0 {
            endStream(seq: seq)
            return false
        }
        if !inRead { worker.scheduleFlush(self) }
        return true
    }

    /// Whether the stream of `seq` can still be written.
    func isStreaming(_ seq: UInt32) -> Bool { streaming && state == .open && seq == sendSeq }

    /// Appends a piece of the body. A reader that lets more than
    /// `maxQueuedOutputBytes` pile up loses its stream (false).
    func streamWrite(seq: UInt32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard isStreaming(seq) else { return false }
        let queued = out.count + (writePending ? spare.count : 0)
        guard queued + bytes.count <= worker.configuration.maxQueuedOutputBytes else {
            endStream(seq: seq)
            return false
        }
        out.append(bytes)
        if !inRead { worker.scheduleFlush(self) }
        return true
    }

    /// Ends the stream of `seq`: what is queued goes out, then the connection closes.
    func endStream(seq: UInt32) {
        guard streaming, seq == sendSeq else { return }
        streaming = false
        sendSeq &+= 1
        if state == .open { worker.scheduleFlush(self) }
    }
}
