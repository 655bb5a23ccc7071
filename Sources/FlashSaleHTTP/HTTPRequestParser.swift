/// The request parser: RFC 9112 strict, incremental over any split of the
/// input, one copy of each request's bytes into its own reused buffer.
///
/// `parse` consumes bytes until it needs more, the headers of a request with
/// a body are complete, a whole request is in, or the input is refused. A
/// request stays readable (``target``, ``headerSlots``, body range) until the
/// next `parse` call after its `messageComplete`. After `failed` it takes no
/// more input: the connection answers and closes.
final class HTTPRequestParser {
    struct HeaderSlot {
        var nameStart: Int32
        var nameLength: Int32
        var valueStart: Int32
        var valueLength: Int32
    }

    enum Event {
        /// Every byte was consumed; the request is not complete yet.
        case needMore
        /// The headers of a request with a body passed every check (before the body).
        case headersComplete
        /// A whole request is in.
        case messageComplete
        /// The input is refused (the connection answers it and closes).
        case failed(HTTPFailure)
    }

    enum State: UInt8 {
        case start, startLF
        case method, target, version, requestLineLF
        case fieldStart, fieldName, valueStart, value, valueLF, blockLF
        case body
        case chunkSize, chunkSizeLF, chunkData, chunkDataCR, chunkDataLF
        case extBeforeSemicolon, extBeforeName, extName, extAfterName, extBeforeValue
        case extToken, extQuoted, extQuotedEscape, extAfterQuoted
        case failed
    }

    /// Longest method token (the longest known is 7 bytes); longer is 501.
    static let maxMethodBytes = 32
    /// Longest chunk extension, per chunk; longer is 400.
    static let maxChunkExtensionBytes = 1024
    /// Most hex digits in a chunk size (leading zeros included); more is 400.
    static let maxChunkSizeDigits = 16

    private let maxTargetBytes: Int
    private let maxHeaderBytes: Int
    private let maxHeaderCount: Int
    private let maxBodyBytes: Int
    private let classes = HTTPByteClass.table

    /// The request's bytes: target at offset 0, header names and values, then the body.
    let request = ByteBuffer(capacity: 1024)
    private(set) var headerSlots: UnsafeMutablePointer<HeaderSlot>
    private var headerCapacity = 16

    private(set) var state = State.start
    private(set) var failure: HTTPFailure?
    private var pendingReset = false

    // The request line.
    private var methodBits: UInt64 = 0
    private var methodLength = 0
    private(set) var method = HTTPMethod.get
    private var methodKnown = false
    private(set) var targetLength = 0
    private var versionIndex = 0
    private(set) var versionMinor = 1
    private var versionMajor = 1

    // The header block (and the trailers, counted but not kept).
    private(set) var headerCount = 0
    private var fieldCount = 0
    private var headerBytes = 0
    private var inTrailers = false
    private var nameStart = 0
    private var valueStart = 0

    // What the fields said (see HTTPRequestParser+Fields.swift).
    var hostCount = 0
    var hostValid = true
    var contentLengthCount = 0
    var contentLengthValid = true
    var contentLength = 0
    var transferEncodingCount = 0
    var transferEncodingChunked = false
    var connectionClose = false
    var connectionKeepAlive = false
    var upgradeRequested = false
    private(set) var contentTypeSlot = -1
    private(set) var expectsContinue = false

    // The body.
    private(set) var bodyStart = 0
    private(set) var bodyLength = 0
    private var remaining = 0
    private var chunkDigits = 0
    private var chunkExtensionBytes = 0

    init(configuration: HTTPServerConfiguration) {
        maxTargetBytes = configuration.maxRequestLineBytes
        maxHeaderBytes = configuration.maxHeaderBytes
        maxHeaderCount = configuration.maxHeaderCount
        maxBodyBytes = configuration.maxBodyBytes
        headerSlots = .allocate(capacity: headerCapacity)
    }

    deinit { headerSlots.deallocate() }

    /// Between requests: nothing of the next one has arrived.
    var isIdle: Bool { state == .start || state == .startLF }

    /// Whether the connection may carry another request after this one
    /// (HTTP/1.1 unless `Connection: close`; HTTP/1.0 with `keep-alive`), and no upgrade was asked.
    var keepAlive: Bool {
        if connectionClose || upgradeRequested { return false }
        return versionMinor == 1 || connectionKeepAlive
    }

    private func reset() {
        pendingReset = false
        request.count = 0
        request.shrinkIfAbove(16 * 1024)  // give back what one large body took
        methodBits = 0
        methodLength = 0
        targetLength = 0
        versionIndex = 0
        headerCount = 0
        fieldCount = 0
        headerBytes = 0
        inTrailers = false
        hostCount = 0
        hostValid = true
        contentLengthCount = 0
        contentLengthValid = true
        contentLength = 0
        transferEncodingCount = 0
        transferEncodingChunked = false
        connectionClose = false
        connectionKeepAlive = false
        upgradeRequested = false
        contentTypeSlot = -1
        expectsContinue = false
        bodyStart = 0
        bodyLength = 0
        remaining = 0
    }

    /// The end of the run of bytes of class `mask` that starts at `start` (a field name
    /// or value read in one go).
    @inline(__always)
    private func fieldRunEnd(
        _ input: UnsafeRawPointer, from start: Int, _ count: Int, _ classes: UnsafePointer<UInt8>, _ mask: UInt8
    ) -> Int {
        var end = start
        while end < count && classes[Int(input.load(fromByteOffset: end, as: UInt8.self))] & mask != 0 { end += 1 }
        return end
    }

    /// Counts a run of field bytes against the header limit and keeps it (trailers are
    /// parsed, not kept); false when the header block grew too large.
    @inline(__always)
    private func takeFieldRun(_ bytes: UnsafeRawPointer, _ length: Int) -> Bool {
        headerBytes += length
        if headerBytes > maxHeaderBytes { return false }
        if !inTrailers { request.append(bytes, length) }
        return true
    }

    @inline(__always)
    private func fail(_ reason: HTTPFailure, _ consumed: Int) -> (consumed: Int, event: Event) {
        state = .failed
        failure = reason
        return (consumed, .failed(reason))
    }

    /// Consumes `input[0 ..< count]` up to the next event.
    func parse(_ input: UnsafeRawPointer, _ count: Int) -> (consumed: Int, event: Event) {
        if let failure { return (0, .failed(failure)) }
        if pendingReset { reset() }
        let classes = self.classes
        var i = 0
        while i < count {
            let byte = input.load(fromByteOffset: i, as: UInt8.self)
            switch state {
            // MARK: Request line (RFC 9112 §3)
            case .start:
                // Empty lines before a request are ignored (§2.2).
                if byte == cr {
                    state = .startLF
                    i += 1
                } else {
                    state = .method
                }
            case .startLF:
                guard byte == lf else { return fail(.bareCR, i) }
                state = .start
                i += 1
            case .method:
                if classes[Int(byte)] & HTTPByteClass.token != 0 {
                    methodLength += 1
                    if methodLength > HTTPRequestParser.maxMethodBytes { return fail(.unknownMethod, i) }
                    if methodLength <= 8 { methodBits = methodBits << 8 | UInt64(byte) }
                    i += 1
                } else if byte == sp && methodLength > 0 {
                    (method, methodKnown) = HTTPMethod.decode(bits: methodBits, length: methodLength)
                    state = .target
                    i += 1
                } else {
                    return fail(.badRequest, i)
                }
            case .target:
                var end = i
                while end < count && classes[Int(input.load(fromByteOffset: end, as: UInt8.self))] & HTTPByteClass.target != 0 {
                    end += 1
                }
                if end > i {
                    let run = end - i
                    if targetLength + run > maxTargetBytes { return fail(.uriTooLong, i) }
                    request.append(input + i, run)
                    targetLength += run
                    i = end
                    continue
                }
                if byte == sp && targetLength > 0 {
                    state = .version
                    i += 1
                } else if (byte == cr || byte == lf) && targetLength > 0 {
                    return fail(.missingVersion, i)
                } else if byte == sp {
                    return fail(.badRequest, i)  // two spaces after the method
                } else {
                    return fail(.badTarget, i)
                }
            case .version:
                // "HTTP/" DIGIT "." DIGIT, then CRLF.
                switch versionIndex {
                case 0...4:
                    let expected = UInt8(truncatingIfNeeded: httpSlash >> UInt64(8 * (4 - versionIndex)))
                    guard byte == expected else { return fail(.badRequest, i) }
                case 5, 7:
                    guard byte >= 0x30 && byte <= 0x39 else { return fail(.badRequest, i) }
                    if versionIndex == 5 { versionMajor = Int(byte - 0x30) } else { versionMinor = Int(byte - 0x30) }
                case 6:
                    guard byte == 0x2E else { return fail(.badRequest, i) }
                default:
                    guard byte == cr else { return fail(.badRequest, i) }
                    state = .requestLineLF
                }
                versionIndex += 1
                i += 1
            case .requestLineLF:
                guard byte == lf else { return fail(.badRequest, i) }
                i += 1
                if let problem = checkRequestLine() { return fail(problem, i) }
                state = .fieldStart

            // MARK: Header and trailer fields (RFC 9112 §5, §7.1.2)
            case .fieldStart:
                if byte == cr {
                    state = .blockLF
                    i += 1
                } else if classes[Int(byte)] & HTTPByteClass.token != 0 {
                    if fieldCount >= maxHeaderCount { return fail(.tooManyHeaders, i) }
                    fieldCount += 1
                    headerBytes += 4  // ": " and CRLF
                    nameStart = request.count
                    state = .fieldName
                } else if byte == sp || byte == ht {
                    return fail(fieldCount == 0 ? .badRequest : .obsFold, i)
                } else if byte == lf {
                    return fail(.bareLF, i)
                } else {
                    return fail(.badHeaderName, i)
                }
            case .fieldName:
                let end = fieldRunEnd(input, from: i, count, classes, HTTPByteClass.token)
                if end > i {
                    guard takeFieldRun(input + i, end - i) else { return fail(.headersTooLarge, i) }
                    i = end
                    continue
                }
                if byte == colon {
                    state = .valueStart
                    i += 1
                } else if byte == cr || byte == lf {
                    return fail(.missingColon, i)
                } else {
                    return fail(.badHeaderName, i)  // whitespace before the colon, or a non-token byte
                }
            case .valueStart:
                if byte == sp || byte == ht {
                    headerBytes += 1
                    if headerBytes > maxHeaderBytes { return fail(.headersTooLarge, i) }
                    i += 1
                } else {
                    valueStart = request.count
                    state = .value
                }
            case .value:
                let end = fieldRunEnd(input, from: i, count, classes, HTTPByteClass.fieldValue)
                if end > i {
                    guard takeFieldRun(input + i, end - i) else { return fail(.headersTooLarge, i) }
                    i = end
                    continue
                }
                if byte == cr {
                    state = .valueLF
                    i += 1
                } else if byte == lf {
                    return fail(.bareLF, i)
                } else {
                    return fail(.badHeaderValue, i)
                }
            case .valueLF:
                guard byte == lf else { return fail(.bareCR, i) }
                i += 1
                if !inTrailers { endField() }
                state = .fieldStart
            case .blockLF:
                guard byte == lf else { return fail(.bareCR, i) }
                i += 1
                if inTrailers { return complete(i) }
                if let problem = checkFraming() { return fail(problem, i) }
                if transferEncodingChunked {
                    bodyStart = request.count
                    chunkDigits = 0
                    remaining = 0
                    state = .chunkSize
                    return (i, .headersComplete)
                }
                if contentLength > 0 {
                    bodyStart = request.count
                    remaining = contentLength
                    state = .body
                    return (i, .headersComplete)
                }
                bodyStart = request.count
                return complete(i)

            // MARK: Content-Length body
            case .body:
                let take = min(remaining, count - i)
                request.append(input + i, take)
                bodyLength += take
                remaining -= take
                i += take
                if remaining == 0 { return complete(i) }

            // MARK: Chunked body (RFC 9112 §7.1)
            case .chunkSize:
                let digit = hexValue(byte)
                if digit >= 0 {
                    chunkDigits += 1
                    if chunkDigits > HTTPRequestParser.maxChunkSizeDigits { return fail(.badChunk, i) }
                    // Saturates far above any body limit instead of overflowing.
                    if remaining < 1 << 56 { remaining = remaining << 4 | digit }
                    i += 1
                    continue
                }
                guard chunkDigits > 0 else { return fail(.badChunk, i) }
                if remaining > maxBodyBytes - bodyLength { return fail(.bodyTooLarge, i) }
                chunkExtensionBytes = 0
                switch byte {
                case cr: state = .chunkSizeLF
                case semicolon: state = .extBeforeName
                case sp, ht: state = .extBeforeSemicolon
                default: return fail(.badChunk, i)
                }
                i += 1
            case .chunkSizeLF:
                guard byte == lf else { return fail(.badChunk, i) }
                i += 1
                if remaining == 0 {
                    inTrailers = true  // the last chunk: trailer fields, then the end
                    state = .fieldStart
                } else {
                    state = .chunkData
                }
            case .chunkData:
                let take = min(remaining, count - i)
                request.append(input + i, take)
                bodyLength += take
                remaining -= take
                i += take
                if remaining == 0 { state = .chunkDataCR }
            case .chunkDataCR:
                guard byte == cr else { return fail(.badChunk, i) }
                state = .chunkDataLF
                i += 1
            case .chunkDataLF:
                guard byte == lf else { return fail(.badChunk, i) }
                chunkDigits = 0
                state = .chunkSize
                i += 1

            // chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ), bounded.
            case .extBeforeSemicolon, .extBeforeName, .extName, .extAfterName, .extBeforeValue,
                .extToken, .extQuoted, .extQuotedEscape, .extAfterQuoted:
                chunkExtensionBytes += 1
                if chunkExtensionBytes > HTTPRequestParser.maxChunkExtensionBytes { return fail(.chunkExtensionTooLong, i) }
                guard let next = nextExtensionState(byte, classes[Int(byte)]) else { return fail(.badChunk, i) }
                state = next
                i += 1

            case .failed:
                return (i, .failed(failure ?? .badRequest))
            }
        }
        return (i, .needMore)
    }

    @inline(__always)
    private func complete(_ consumed: Int) -> (consumed: Int, event: Event) {
        state = .start
        pendingReset = true
        return (consumed, .messageComplete)
    }

    /// The chunk-extension grammar, one byte at a time; nil: refused.
    private func nextExtensionState(_ byte: UInt8, _ cls: UInt8) -> State? {
        let isToken = cls & HTTPByteClass.token != 0
        let isSpace = byte == sp || byte == ht
        switch state {
        case .extBeforeSemicolon:
            if isSpace { return .extBeforeSemicolon }
            if byte == semicolon { return .extBeforeName }
        case .extBeforeName:
            if isSpace { return .extBeforeName }
            if isToken { return .extName }
        case .extName:
            if isToken { return .extName }
            if isSpace { return .extAfterName }
            if byte == equals { return .extBeforeValue }
            if byte == semicolon { return .extBeforeName }
            if byte == cr { return .chunkSizeLF }
        case .extAfterName:
            if isSpace { return .extAfterName }
            if byte == equals { return .extBeforeValue }
            if byte == semicolon { return .extBeforeName }
        case .extBeforeValue:
            if isSpace { return .extBeforeValue }
            if isToken { return .extToken }
            if byte == quote { return .extQuoted }
        case .extToken:
            if isToken { return .extToken }
            if isSpace { return .extBeforeSemicolon }
            if byte == semicolon { return .extBeforeName }
            if byte == cr { return .chunkSizeLF }
        case .extQuoted:
            if byte == quote { return .extAfterQuoted }
            if byte == backslash { return .extQuotedEscape }
            if cls & HTTPByteClass.fieldValue != 0 { return .extQuoted }
        case .extQuotedEscape:
            if cls & HTTPByteClass.fieldValue != 0 { return .extQuoted }
        case .extAfterQuoted:
            if isSpace { return .extBeforeSemicolon }
            if byte == semicolon { return .extBeforeName }
            if byte == cr { return .chunkSizeLF }
        default:
            break
        }
        return nil
    }

    /// A field line ended: keep its slot (value without surrounding
    /// whitespace) and note what it says about framing.
    private func endField() {
        var valueEnd = request.count
        let base = request.base
        while valueEnd > valueStart {
            let last = base.load(fromByteOffset: valueEnd - 1, as: UInt8.self)
            guard last == sp || last == ht else { break }
            valueEnd -= 1
        }
        if headerCount == headerCapacity { growHeaderSlots() }
        let slot = HeaderSlot(
            nameStart: Int32(nameStart), nameLength: Int32(valueStart - nameStart),
            valueStart: Int32(valueStart), valueLength: Int32(valueEnd - valueStart))
        headerSlots[headerCount] = slot
        headerCount += 1
        switch noteField(slot) {
        case .contentType: contentTypeSlot = headerCount - 1
        case .expectContinue: expectsContinue = versionMinor == 1  // HTTP/1.0 clients never wait for it
        case .other: break
        }
    }

    private func growHeaderSlots() {
        let bigger = UnsafeMutablePointer<HeaderSlot>.allocate(capacity: headerCapacity * 2)
        bigger.moveInitialize(from: headerSlots, count: headerCount)
        headerSlots.deallocate()
        headerSlots = bigger
        headerCapacity *= 2
    }

    /// After the request line: version, method and target form.
    private func checkRequestLine() -> HTTPFailure? {
        if versionMajor != 1 || versionMinor > 1 { return .badVersion }
        if !methodKnown { return .unknownMethod }
        if method == .connect { return .upgradeUnsupported }
        let first = request.base.load(as: UInt8.self)
        if first == slash { return nil }  // origin-form
        if first == asterisk {  // asterisk-form: OPTIONS only
            return targetLength == 1 && method == .options ? nil : .badTarget
        }
        return isAbsoluteForm() ? nil : .badTarget
    }

    /// `http://authority/…` or `https://…` (RFC 9112 §3.2.2), the authority
    /// a valid `uri-host [":" port]` (no userinfo); other schemes are refused.
    private func isAbsoluteForm() -> Bool {
        let target = HTTPBytes(request.base, targetLength)
        guard let schemeLength = target.httpSchemeLength else { return false }
        var end = schemeLength
        while end < targetLength {
            let byte = target[end]
            if byte == slash || byte == 0x3F || byte == 0x23 { break }
            end += 1
        }
        guard end > schemeLength else { return false }
        return isValidHost(HTTPBytes(request.base + schemeLength, end - schemeLength))
    }

    /// After the header block: the framing rules of RFC 9112 §6.3 and the Host rules of §3.2.
    private func checkFraming() -> HTTPFailure? {
        if !contentLengthValid { return .badContentLength }
        if contentLengthCount > 1 { return .duplicateContentLength }
        if transferEncodingCount > 0 && contentLengthCount > 0 { return .lengthAndChunked }
        if transferEncodingCount > 1 { return .duplicateTransferEncoding }
        if transferEncodingCount == 1 && versionMinor == 0 { return .transferEncodingInHTTP10 }
        if transferEncodingCount == 1 && !transferEncodingChunked { return .unknownTransferCoding }
        if hostCount > 1 { return .duplicateHost }
        if hostCount == 0 && versionMinor == 1 { return .missingHost }
        if !hostValid { return .badHost }
        if contentLength > maxBodyBytes { return .bodyTooLarge }
        return nil
    }
}

let cr: UInt8 = 0x0D
let lf: UInt8 = 0x0A
let sp: UInt8 = 0x20
let ht: UInt8 = 0x09
private let colon: UInt8 = 0x3A
private let semicolon: UInt8 = 0x3B
private let equals: UInt8 = 0x3D
private let quote: UInt8 = 0x22
private let backslash: UInt8 = 0x5C
private let slash: UInt8 = 0x2F
private let asterisk: UInt8 = 0x2A
/// "HTTP/", big-endian.
private let httpSlash: UInt64 = 0x48_54_54_50_2F

@inline(__always)
private func hexValue(_ byte: UInt8) -> Int {
    switch byte {
    case 0x30...0x39: return Int(byte - 0x30)
    case 0x41...0x46: return Int(byte - 0x41 + 10)
    case 0x61...0x66: return Int(byte - 0x61 + 10)
    default: return -1
    }
}
