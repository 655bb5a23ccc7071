import CHTTPParser

/// http_parser callbacks. They copy the request's bytes into the
/// connection's reused buffer and add the checks http_parser 2.9 leaves out
/// (header name characters, bare CR, obs-fold, size limits, framing headers).
extension HTTPConnection {
    /// Stops the parser with an error; the stored `failure` says why. (From
    /// on_headers_complete, 1 and 2 mean "skip the body", so -1.)
    static let stop: Int32 = -1

    func onMessageBegin() -> Int32 {
        request.count = 0
        request.shrinkIfAbove(16 * 1024)  // give back what one large body took
        headerCount = 0
        trailerCount = 0
        headerBytes = 0
        urlLength = 0
        bodyStart = 0
        bodyLength = 0
        lastCallback = .none
        valueTerminated = false
        valueEndedAtChunkEnd = false
        inTrailers = false
        contentTypeSlot = -1
        expectsContinue = false
        phase = .headers
        setDeadline(.header, after: worker.configuration.headerTimeoutMillis)
        return 0
    }

    func onURL(_ at: UnsafeRawPointer, _ length: Int) -> Int32 {
        urlLength += length
        if urlLength > worker.configuration.maxRequestLineBytes {
            failure = .uriTooLong
            return HTTPConnection.stop
        }
        request.append(at, length)
        lastCallback = .url
        return 0
    }

    func onHeaderField(_ at: UnsafeRawPointer, _ length: Int) -> Int32 {
        let config = worker.configuration
        if lastCallback != .field {
            if headerCount + trailerCount >= config.maxHeaderCount {
                failure = .tooManyHeaders
                return HTTPConnection.stop
            }
            if inTrailers {
                trailerCount += 1  // counted against the limits, not kept
            } else {
                if headerCount == headerCapacity { growHeaderSlots() }
                headers[headerCount] = HeaderSlot(nameStart: Int32(request.count), nameLength: 0, valueStart: Int32(request.count), valueLength: 0)
                headerCount += 1
            }
            headerBytes += 4  // ": " and CRLF
            valueTerminated = false
            valueEndedAtChunkEnd = false
        }
        headerBytes += length
        if headerBytes > config.maxHeaderBytes {
            failure = .headersTooLarge
            return HTTPConnection.stop
        }
        var i = 0
        while i < length {
            if !isTokenByte(at.load(fromByteOffset: i, as: UInt8.self)) {
                failure = .badHeaderName
                return HTTPConnection.stop
            }
            i += 1
        }
        lastCallback = .field
        if inTrailers { return 0 }
        request.append(at, length)
        headers[headerCount - 1].nameLength += Int32(length)
        return 0
    }

    func onHeaderValue(_ at: UnsafeRawPointer, _ length: Int) -> Int32 {
        // http_parser reports an empty piece when a chunk starts with the CR
        // ending a value split across reads: nothing to add.
        if length == 0 && lastCallback == .value { return 0 }
        if lastCallback == .value && valueTerminated {
            // A second value piece after the line ended: obs-fold.
            failure = .obsFold
            return HTTPConnection.stop
        }
        if lastCallback == .field {
            // http_parser folds "Name:\r\n value" into the leading whitespace
            // without telling: look back past the whitespace for a line break.
            // (An empty value is reported at the next line's start: skip it.)
            if length > 0, let chunkStart {
                var p = at
                while p > chunkStart {
                    let byte = (p - 1).load(as: UInt8.self)
                    if byte == 0x0A || byte == 0x0D {
                        failure = .obsFold
                        return HTTPConnection.stop
                    }
                    if byte != 0x20 && byte != 0x09 { break }
                    p -= 1
                }
            }
            if !inTrailers { headers[headerCount - 1].valueStart = Int32(request.count) }
        }
        headerBytes += length
        if headerBytes > worker.configuration.maxHeaderBytes {
            failure = .headersTooLarge
            return HTTPConnection.stop
        }
        var i = 0
        while i < length {
            let byte = at.load(fromByteOffset: i, as: UInt8.self)
            if !(byte == 0x09 || (byte >= 0x20 && byte != 0x7F)) {
                failure = .badHeaderValue
                return HTTPConnection.stop
            }
            i += 1
        }
        // Look at what ends the value in the raw input: CR must be followed by LF.
        let end = at + length
        if let chunkEnd, end < chunkEnd {
            valueTerminated = true
            valueEndedAtChunkEnd = false
            if end.load(as: UInt8.self) == 0x0D && end + 1 < chunkEnd && end.load(fromByteOffset: 1, as: UInt8.self) != 0x0A {
                failure = .bareCR
                return HTTPConnection.stop
            }
        } else {
            valueEndedAtChunkEnd = true
        }
        lastCallback = .value
        if inTrailers { return 0 }
        request.append(at, length)
        headers[headerCount - 1].valueLength += Int32(length)
        return 0
    }

    private func growHeaderSlots() {
        let bigger = UnsafeMutablePointer<HeaderSlot>.allocate(capacity: headerCapacity * 2)
        bigger.moveInitialize(from: headers, count: headerCount)
        headers.deallocate()
        headers = bigger
        headerCapacity *= 2
    }

    func onHeadersComplete() -> Int32 {
        lastCallback = .none
        let major = parser.pointee.http_major
        let minor = parser.pointee.http_minor
        if major == 0 {
            failure = .missingVersion  // "GET /" with no version (HTTP/0.9 form)
            return HTTPConnection.stop
        }
        if major != 1 || minor > 1 {
            failure = .badVersion
            return HTTPConnection.stop
        }
        if let problem = classifyHeaders(final: true) {
            failure = problem
            return HTTPConnection.stop
        }
        inTrailers = true
        let chunked = (parser.pointee.flags & UInt32(F_CHUNKED.rawValue)) != 0
        let length = parser.pointee.content_length
        let config = worker.configuration
        if chunked || (length > 0 && length != UInt64.max) {
            if !chunked && length > UInt64(config.maxBodyBytes) {
                failure = .bodyTooLarge
                return HTTPConnection.stop
            }
            phase = .body
            setDeadline(.body, after: config.bodyTimeoutMillis)
            if expectsContinue && pendingResponses == 0 && !closing {
                out.append("HTTP/1.1 100 Continue\r\n\r\n")
            }
        }
        return 0
    }

    func onBody(_ at: UnsafeRawPointer, _ length: Int) -> Int32 {
        if bodyLength + length > worker.configuration.maxBodyBytes {
            failure = .bodyTooLarge
            return HTTPConnection.stop
        }
        if bodyLength == 0 { bodyStart = request.count }
        request.append(at, length)
        bodyLength += length
        return 0
    }

    func onMessageComplete() -> Int32 {
        inTrailers = false
        phase = .idle
        setDeadline(.none, after: 0)
        dispatch()
        // A keep-alive parser may go on with the next pipelined request;
        // `closing` paused it otherwise.
        return 0
    }

    /// Checks the framing headers (Host, Content-Length, Transfer-Encoding)
    /// and notes Content-Type and Expect. `final`: all headers are in.
    func classifyHeaders(final: Bool) -> HTTPFailure? {
        var hosts = 0
        var lengths = 0
        var encodings = 0
        var chunkedOnly = true
        let base = UnsafeRawPointer(request.base)
        var i = 0
        while i < min(headerCount, headerCapacity) {
            let slot = headers[i]
            let name = HTTPBytes(base + Int(slot.nameStart), Int(slot.nameLength))
            let value = HTTPBytes(base + Int(slot.valueStart), Int(slot.valueLength)).trimmed
            switch name.count {
            case 4 where name.equalsIgnoringCase("host"):
                hosts += 1
            case 14 where name.equalsIgnoringCase("content-length"):
                lengths += 1
                if value.decimalValue == nil { return .badContentLength }
            case 17 where name.equalsIgnoringCase("transfer-encoding"):
                encodings += 1
                if !value.equalsIgnoringCase("chunked") { chunkedOnly = false }
            case 12 where name.equalsIgnoringCase("content-type"):
                contentTypeSlot = i
            case 6 where name.equalsIgnoringCase("expect"):
                if value.equalsIgnoringCase("100-continue") { expectsContinue = true }
            default:
                break
            }
            i += 1
        }
        if lengths > 1 { return .duplicateContentLength }
        if encodings > 0 && lengths > 0 { return .lengthAndChunked }
        if encodings > 1 { return .duplicateTransferEncoding }
        if encodings == 1 && parser.pointee.http_minor == 0 { return .transferEncodingInHTTP10 }
        if encodings == 1 && !chunkedOnly { return .unknownTransferCoding }
        if final {
            if hosts > 1 { return .duplicateHost }
            if hosts == 0 && parser.pointee.http_minor == 1 { return .missingHost }
        }
        return nil
    }
}

/// The C callback table, shared by a worker's connections. Each callback is
/// a closure that captures nothing; the connection travels in `parser->data`.
func makeParserSettings() -> UnsafeMutablePointer<http_parser_settings> {
    let settings = UnsafeMutablePointer<http_parser_settings>.allocate(capacity: 1)
    settings.initialize(to: http_parser_settings())
    settings.pointee.on_message_begin = { parser in
        guard let parser else { return HTTPConnection.stop }
        return Unmanaged<HTTPConnection>.fromOpaque(parser.pointee.data)._withUnsafeGuaranteedRef {
            $0.onMessageBegin()
        }
    }
    settings.pointee.on_url = { parser, at, length in
        guard let parser, let at else { return 0 }
        return Unmanaged<HTTPConnection>.fromOpaque(parser.pointee.data)._withUnsafeGuaranteedRef {
            $0.onURL(UnsafeRawPointer(at), length)
        }
    }
    settings.pointee.on_header_field = { parser, at, length in
        guard let parser, let at else { return 0 }
        return Unmanaged<HTTPConnection>.fromOpaque(parser.pointee.data)._withUnsafeGuaranteedRef {
            $0.onHeaderField(UnsafeRawPointer(at), length)
        }
    }
    settings.pointee.on_header_value = { parser, at, length in
        guard let parser, let at else { return 0 }
        return Unmanaged<HTTPConnection>.fromOpaque(parser.pointee.data)._withUnsafeGuaranteedRef {
            $0.onHeaderValue(UnsafeRawPointer(at), length)
        }
    }
    settings.pointee.on_headers_complete = { parser in
        guard let parser else { return HTTPConnection.stop }
        return Unmanaged<HTTPConnection>.fromOpaque(parser.pointee.data)._withUnsafeGuaranteedRef {
            $0.onHeadersComplete()
        }
    }
    settings.pointee.on_body = { parser, at, length in
        guard let parser, let at else { return 0 }
        return Unmanaged<HTTPConnection>.fromOpaque(parser.pointee.data)._withUnsafeGuaranteedRef {
            $0.onBody(UnsafeRawPointer(at), length)
        }
    }
    settings.pointee.on_message_complete = { parser in
        guard let parser else { return HTTPConnection.stop }
        return Unmanaged<HTTPConnection>.fromOpaque(parser.pointee.data)._withUnsafeGuaranteedRef {
            $0.onMessageComplete()
        }
    }
    return settings
}
