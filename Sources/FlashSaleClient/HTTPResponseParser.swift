/// An incremental HTTP/1.1 response parser for the project's HTTP clients (the load
/// driver's connections and ``HTTPExchange``).
///
/// It reads only what the driver needs: the status code, `Content-Length`,
/// `Connection: close` / HTTP/1.0, and the body when asked to capture it.
/// Lines and bodies that arrive whole in one read are handed over in place;
/// only pieces split across reads are copied (into buffers reused for the
/// connection's lifetime). Chunked bodies are not supported (the engine and
/// nginx send `Content-Length`); such a response is reported as malformed.
package struct HTTPResponseParser {
    private enum State { case statusLine, headers, body }

    /// Longest status or header line accepted.
    package static let maxLine = 8192
    /// Most body bytes kept when capturing (order ids and error codes fit easily).
    package static let maxCapturedBody = 4096

    private var state = State.statusLine
    private var partialLine: [UInt8] = []
    private var body: [UInt8] = []
    private var status = 0
    private var contentLength = -1
    private var remaining = 0
    private var chunked = false
    /// Whether the current response asks to close the connection after it.
    package private(set) var closeAfterResponse = false
    /// Whether to keep the body of the responses being parsed.
    package var captureBody = false

    /// Whether the parser is between responses (nothing partial buffered).
    package var isIdle: Bool { state == .statusLine && partialLine.isEmpty }

    package init() {
        partialLine.reserveCapacity(256)
        body.reserveCapacity(512)
    }

    /// Resets for a new connection.
    package mutating func reset() {
        state = .statusLine
        partialLine.removeAll(keepingCapacity: true)
        body.removeAll(keepingCapacity: true)
        closeAfterResponse = false
    }

    /// Parses `bytes`; calls `onResponse(status, body)` for each complete
    /// response (`body` is empty unless ``captureBody``). Returns `false` on a
    /// malformed or unsupported response (the caller closes the connection).
    package mutating func feed(
        _ bytes: UnsafeRawBufferPointer,
        _ onResponse: (_ status: Int, _ body: UnsafeRawBufferPointer) -> Void
    ) -> Bool {
        var index = 0
        let count = bytes.count
        while index < count {
            if state == .body {
                let take = min(remaining, count - index)
                remaining -= take
                let piece = UnsafeRawBufferPointer(rebasing: bytes[index..<(index + take)])
                index += take
                if captureBody && remaining == 0 && body.isEmpty {
                    finish(piece, onResponse)
                    continue
                }
                if captureBody && body.count < HTTPResponseParser.maxCapturedBody {
                    body.append(contentsOf: piece.prefix(HTTPResponseParser.maxCapturedBody - body.count))
                }
                if remaining == 0 { finishWithBuffered(onResponse) }
                continue
            }
            // Status line or a header: find the end of the line.
            var end = index
            while end < count && bytes[end] != 10 { end += 1 }
            if end == count {
                if partialLine.count + (count - index) > HTTPResponseParser.maxLine { return false }
                partialLine.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<count]))
                return true
            }
            let ok: Bool
            if partialLine.isEmpty {
                ok = handleLine(UnsafeRawBufferPointer(rebasing: bytes[index..<end]), onResponse)
            } else {
                partialLine.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[index..<end]))
                var line: [UInt8] = []
                swap(&line, &partialLine)
                ok = line.withUnsafeBytes { handleLine($0, onResponse) }
                line.removeAll(keepingCapacity: true)
                swap(&line, &partialLine)
            }
            if !ok { return false }
            index = end + 1
        }
        return true
    }

    private mutating func finishWithBuffered(_ onResponse: (Int, UnsafeRawBufferPointer) -> Void) {
        var kept: [UInt8] = []
        swap(&kept, &body)
        kept.withUnsafeBytes { finish($0, onResponse) }
        kept.removeAll(keepingCapacity: true)
        swap(&kept, &body)
    }

    private mutating func finish(_ captured: UnsafeRawBufferPointer, _ onResponse: (Int, UnsafeRawBufferPointer) -> Void) {
        state = .statusLine
        onResponse(status, captureBody ? captured : UnsafeRawBufferPointer(start: nil, count: 0))
    }

    private mutating func handleLine(_ raw: UnsafeRawBufferPointer, _ onResponse: (Int, UnsafeRawBufferPointer) -> Void) -> Bool {
        var line = raw
        if let last = line.last, last == 13 { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }
        switch state {
        case .statusLine:
            if line.isEmpty { return true }
            // "HTTP/1.x NNN ..."
            guard line.count >= 12, line[0] == 72, line[4] == 47, line[5] == 49, line[6] == 46 else { return false }
            var code = 0
            for offset in 9..<12 {
                let digit = Int(line[offset]) - 48
                guard digit >= 0 && digit <= 9 else { return false }
                code = code * 10 + digit
            }
            status = code
            closeAfterResponse = line[7] == 48  // HTTP/1.0
            contentLength = -1
            chunked = false
            state = .headers
            return true
        case .headers:
            if line.isEmpty { return endOfHeaders(onResponse) }
            guard let colon = line.firstIndex(of: 58) else { return false }
            let name = UnsafeRawBufferPointer(rebasing: line[..<colon])
            var valueStart = colon + 1
            while valueStart < line.count && (line[valueStart] == 32 || line[valueStart] == 9) { valueStart += 1 }
            let value = UnsafeRawBufferPointer(rebasing: line[valueStart...])
            if asciiEqualsLowercased(name, HTTPResponseParser.contentLengthName) {
                var length = 0
                for byte in value {
                    if byte == 32 || byte == 9 { break }
                    let digit = Int(byte) - 48
                    guard digit >= 0 && digit <= 9, length < 1 << 40 else { return false }
                    length = length * 10 + digit
                }
                contentLength = length
            } else if asciiEqualsLowercased(name, HTTPResponseParser.connectionName) {
                if asciiContainsLowercased(value, HTTPResponseParser.closeToken) { closeAfterResponse = true }
                if asciiContainsLowercased(value, HTTPResponseParser.keepAliveToken) { closeAfterResponse = false }
            } else if asciiEqualsLowercased(name, HTTPResponseParser.transferEncodingName) {
                if asciiContainsLowercased(value, HTTPResponseParser.chunkedToken) { chunked = true }
            }
            return true
        case .body:
            return false
        }
    }

    private mutating func endOfHeaders(_ onResponse: (Int, UnsafeRawBufferPointer) -> Void) -> Bool {
        if status >= 100 && status < 200 {
            state = .statusLine  // 100 Continue and friends: the real answer follows.
            return true
        }
        if chunked { return false }
        if status == 204 || status == 304 { contentLength = 0 }
        guard contentLength >= 0 else { return false }
        remaining = contentLength
        body.removeAll(keepingCapacity: true)
        if remaining == 0 {
            finish(UnsafeRawBufferPointer(start: nil, count: 0), onResponse)
        } else {
            state = .body
        }
        return true
    }

    private static let contentLengthName = Array("content-length".utf8)
    private static let connectionName = Array("connection".utf8)
    private static let transferEncodingName = Array("transfer-encoding".utf8)
    private static let closeToken = Array("close".utf8)
    private static let keepAliveToken = Array("keep-alive".utf8)
    private static let chunkedToken = Array("chunked".utf8)
}

/// Whether `text` equals `lowercased` ignoring ASCII case (`lowercased` must be lower case).
package func asciiEqualsLowercased(_ text: UnsafeRawBufferPointer, _ lowercased: [UInt8]) -> Bool {
    guard text.count == lowercased.count else { return false }
    for index in 0..<text.count where text[index] | 0x20 != lowercased[index] {
        return false
    }
    return true
}

/// Whether `text` contains `lowercased` ignoring ASCII case.
package func asciiContainsLowercased(_ text: UnsafeRawBufferPointer, _ lowercased: [UInt8]) -> Bool {
    guard lowercased.count <= text.count else { return false }
    var start = 0
    while start + lowercased.count <= text.count {
        var matches = true
        for offset in 0..<lowercased.count where text[start + offset] | 0x20 != lowercased[offset] {
            matches = false
            break
        }
        if matches { return true }
        start += 1
    }
    return false
}
