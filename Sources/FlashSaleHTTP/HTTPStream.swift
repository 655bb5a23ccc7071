/// A response body written in pieces over time, e.g. `text/event-stream`
/// (Server-Sent Events). Loop thread only. The connection ends with the
/// stream: it is the connection's last response (`Connection: close`).
///
/// ```swift
/// guard let stream = responder.startStream(.ok, contentType: HTTPContentType("text/event-stream")) else { return }
/// stream.write("data: {}\n\n")   // false once the reader is gone (or too slow)
/// stream.finish()
/// ```
public struct HTTPStream {
    let connection: HTTPConnection
    let sequence: UInt32

    /// Whether the reader is still there (the connection open, the stream not finished).
    public var isOpen: Bool { connection.isStreaming(sequence) }

    /// Appends `text` to the body. False when the stream is over: the reader
    /// left, or let more than `maxQueuedOutputBytes` pile up (the stream is then ended).
    @discardableResult
    public func write(_ text: String) -> Bool {
        var copy = text
        return copy.withUTF8 { connection.streamWrite(seq: sequence, UnsafeRawBufferPointer($0)) }
    }

    /// Ends the body and, once it is out, the connection.
    public func finish() { connection.endStream(seq: sequence) }
}

extension HTTPResponder {
    /// Answers with a streamed body: the head (no `Content-Length`, `Connection:
    /// close`) goes out now, the body through the returned stream. Nil (and
    /// nothing sent) unless this is the connection's oldest unanswered request
    /// and no later one was pipelined behind it; answer normally then.
    public func startStream(
        _ status: HTTPStatus, contentType: HTTPContentType, headers: (inout HTTPHeaderWriter) -> Void = { _ in }
    ) -> HTTPStream? {
        guard connection.beginStream(seq: sequence, flags: flags, status: status, contentType: contentType, headers: headers)
        else { return nil }
        return HTTPStream(connection: connection, sequence: sequence)
    }
}
