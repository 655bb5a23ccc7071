import FlashSaleLoop

/// The answer slot of one request. Complete it exactly once, now (inside
/// the handler) or later, on the loop thread that called the handler (use
/// ``eventLoop`` to get back there). Responses leave in request order; if
/// the connection closed meanwhile, the answer is dropped. Extra calls are ignored.
public struct HTTPResponder {
    let connection: HTTPConnection
    let sequence: UInt32
    let flags: UInt8

    init(connection: HTTPConnection, sequence: UInt32, flags: UInt8) {
        self.connection = connection
        self.sequence = sequence
        self.flags = flags
    }

    /// The loop the answer must be given on (nil for an in-memory connection).
    public var eventLoop: EventLoop? { connection.worker.loop }

    /// Whether the answer is still wanted (connection open, not yet answered).
    public var isAwaited: Bool { connection.isAwaiting(sequence) }

    /// Answers with a body known now.
    public func respond(
        _ status: HTTPStatus, contentType: HTTPContentType = .json, body: UnsafeRawBufferPointer,
        headers: (inout HTTPHeaderWriter) -> Void = { _ in }
    ) {
        connection.emit(seq: sequence, flags: flags, status: status, contentType: contentType, body: body, headers: headers)
    }

    /// Answers with a constant body.
    public func respond(
        _ status: HTTPStatus, contentType: HTTPContentType = .json, body: StaticString = "",
        headers: (inout HTTPHeaderWriter) -> Void = { _ in }
    ) {
        respond(status, contentType: contentType,
                body: UnsafeRawBufferPointer(start: body.utf8Start, count: body.utf8CodeUnitCount), headers: headers)
    }

    /// Answers with a String body.
    public func respond(
        _ status: HTTPStatus, contentType: HTTPContentType = .json, text: String,
        headers: (inout HTTPHeaderWriter) -> Void = { _ in }
    ) {
        var copy = text
        copy.withUTF8 { respond(status, contentType: contentType, body: UnsafeRawBufferPointer($0), headers: headers) }
    }

    /// Answers with a body written straight into the connection's output
    /// buffer by `body` (no intermediate allocation).
    public func respond(
        _ status: HTTPStatus, contentType: HTTPContentType = .json,
        headers: (inout HTTPHeaderWriter) -> Void = { _ in }, body: (inout HTTPBodyWriter) -> Void
    ) {
        connection.emitBuilding(seq: sequence, flags: flags, status: status, contentType: contentType,
                                headers: headers, body: body)
    }

    /// Answers with the error object `{"error":{"code":…,"message":…}}`.
    public func respondError(
        _ status: HTTPStatus, code: StaticString, message: StaticString,
        headers: (inout HTTPHeaderWriter) -> Void = { _ in }
    ) {
        respond(status, contentType: .json, headers: headers) { body in
            body.append("{\"error\":{\"code\":\"")
            body.append(code)
            body.append("\",\"message\":\"")
            body.append(message)
            body.append("\"}}")
        }
    }

    /// Answers with the error object; `code` and `message` are JSON-escaped.
    public func respondError(
        _ status: HTTPStatus, code: String, message: String,
        headers: (inout HTTPHeaderWriter) -> Void = { _ in }
    ) {
        respond(status, contentType: .json, headers: headers) { body in
            body.append("{\"error\":{\"code\":")
            body.appendJSONString(code)
            body.append(",\"message\":")
            body.appendJSONString(message)
            body.append("}}")
        }
    }
}

/// Adds response header lines (after the status line, `Content-Type`,
/// `Content-Length`, `Date` and `Connection` the server writes itself).
public struct HTTPHeaderWriter {
    unowned(unsafe) let buffer: ByteBuffer

    init(buffer: ByteBuffer) { self.buffer = buffer }

    /// `name: value`.
    public mutating func add(_ name: StaticString, _ value: StaticString) {
        buffer.append(name)
        buffer.append(": ")
        buffer.append(value)
        buffer.append("\r\n")
    }

    /// `name: value`; CR and LF in `value` become spaces (no header injection).
    /// (Disfavoured so that a literal value takes the StaticString overload.)
    @_disfavoredOverload
    public mutating func add(_ name: StaticString, _ value: String) {
        buffer.append(name)
        buffer.append(": ")
        for byte in value.utf8 { buffer.append(byte: byte == 0x0D || byte == 0x0A ? 0x20 : byte) }
        buffer.append("\r\n")
    }

    /// `name: <prefix><value>` from bytes (no String made); CR and LF in `value` become spaces.
    public mutating func add(_ name: StaticString, prefix: StaticString, _ value: UnsafeRawBufferPointer) {
        buffer.append(name)
        buffer.append(": ")
        buffer.append(prefix)
        // One copy when there is nothing to replace (the usual case), else byte by byte.
        if let base = value.baseAddress, !value.contains(where: { $0 == 0x0D || $0 == 0x0A }) {
            buffer.append(base, value.count)
        } else {
            for byte in value { buffer.append(byte: byte == 0x0D || byte == 0x0A ? 0x20 : byte) }
        }
        buffer.append("\r\n")
    }

    /// `name: 123`.
    public mutating func add(_ name: StaticString, decimal value: Int) {
        buffer.append(name)
        buffer.append(": ")
        buffer.append(decimal: value)
        buffer.append("\r\n")
    }
}

/// Writes a response body into the connection's output buffer.
public struct HTTPBodyWriter {
    unowned(unsafe) let buffer: ByteBuffer
    private let start: Int

    init(buffer: ByteBuffer) {
        self.buffer = buffer
        start = buffer.count
    }

    /// Bytes written so far.
    public var count: Int { buffer.count - start }

    /// Appends constant text.
    public mutating func append(_ text: StaticString) { buffer.append(text) }
    /// Appends a String's UTF-8 as is. (Disfavoured so that a literal takes the StaticString overload.)
    @_disfavoredOverload
    public mutating func append(_ text: String) { buffer.append(text) }
    /// Appends bytes.
    public mutating func append(bytes: UnsafeRawBufferPointer) { buffer.append(bytes) }
    /// Appends bytes.
    public mutating func append(_ bytes: [UInt8]) { bytes.withUnsafeBytes { buffer.append($0) } }
    /// Appends one byte.
    public mutating func append(byte: UInt8) { buffer.append(byte: byte) }
    /// Appends an integer in decimal.
    public mutating func append(decimal value: Int) { buffer.append(decimal: value) }

    /// Appends `text` as a JSON string literal (quotes included, escaped).
    public mutating func appendJSONString(_ text: String) {
        buffer.append(byte: 0x22)
        for byte in text.utf8 {
            switch byte {
            case 0x22: buffer.append("\\\"")
            case 0x5C: buffer.append("\\\\")
            case 0x0A: buffer.append("\\n")
            case 0x0D: buffer.append("\\r")
            case 0x09: buffer.append("\\t")
            case 0..<0x20:
                let hex: StaticString = "0123456789abcdef"
                buffer.append("\\u00")
                buffer.append(byte: hex.utf8Start[Int(byte >> 4)])
                buffer.append(byte: hex.utf8Start[Int(byte & 0xF)])
            default: buffer.append(byte: byte)
            }
        }
        buffer.append(byte: 0x22)
    }
}
