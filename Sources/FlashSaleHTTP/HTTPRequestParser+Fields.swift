/// What the parser reads out of the header fields: framing (`Content-Length`,
/// `Transfer-Encoding`), `Host` syntax, `Connection` options, `Expect`.
extension HTTPRequestParser {
    enum FieldNote { case contentType, expectContinue, other }

    /// Notes one header field (value already without surrounding whitespace).
    func noteField(_ slot: HeaderSlot) -> FieldNote {
        let base = UnsafeRawPointer(request.base)
        let name = HTTPBytes(base + Int(slot.nameStart), Int(slot.nameLength))
        let value = HTTPBytes(base + Int(slot.valueStart), Int(slot.valueLength))
        switch name.count {
        case 4 where name.equalsIgnoringCase("host"):
            hostCount += 1
            if !isValidHost(value) { hostValid = false }
        case 14 where name.equalsIgnoringCase("content-length"):
            contentLengthCount += 1
            // 1*DIGIT, one value: "1, 1", "+1", " 1 2" and empty are all refused.
            if let length = value.decimalValue { contentLength = length } else { contentLengthValid = false }
        case 17 where name.equalsIgnoringCase("transfer-encoding"):
            transferEncodingCount += 1
            transferEncodingChunked = value.equalsIgnoringCase("chunked")
        case 12 where name.equalsIgnoringCase("content-type"):
            return .contentType
        case 6 where name.equalsIgnoringCase("expect"):
            if value.equalsIgnoringCase("100-continue") { return .expectContinue }
        case 10 where name.equalsIgnoringCase("connection"):
            noteConnectionOptions(value)
        case 7 where name.equalsIgnoringCase("upgrade"):
            upgradeRequested = true
        default:
            break
        }
        return .other
    }

    /// `Connection: a, b`: looks for `close` and `keep-alive` (case-insensitive).
    private func noteConnectionOptions(_ value: HTTPBytes) {
        guard let base = value.bytes.baseAddress else { return }
        var start = 0
        while start <= value.count {
            var end = start
            while end < value.count && value[end] != 0x2C { end += 1 }
            let option = HTTPBytes(base + start, end - start).trimmed
            if option.equalsIgnoringCase("close") { connectionClose = true }
            if option.equalsIgnoringCase("keep-alive") { connectionKeepAlive = true }
            start = end + 1
        }
    }
}

/// `Host = uri-host [ ":" port ]` (RFC 9110 §7.2, RFC 3986 §3.2.2): a
/// reg-name (unreserved, sub-delims, pct-encoded), an IPv4 address (a
/// reg-name too) or a bracketed IP literal; a port of at most 65535. An
/// empty value is allowed (a target without authority).
func isValidHost(_ value: HTTPBytes) -> Bool {
    let count = value.count
    guard count > 0 else { return true }
    var i = 0
    if value[0] == 0x5B {  // "[" IPv6address / IPvFuture "]"
        i = 1
        while i < count && value[i] != 0x5D {
            let byte = value[i]
            guard isHexDigit(byte) || byte == 0x3A || byte == 0x2E || (i == 1 && (byte | 0x20) == 0x76) else { return false }
            i += 1
        }
        guard i < count, i > 1 else { return false }
        i += 1
    } else {
        while i < count && value[i] != 0x3A {
            let byte = value[i]
            if byte == 0x25 {  // pct-encoded
                guard i + 2 < count, isHexDigit(value[i + 1]), isHexDigit(value[i + 2]) else { return false }
                i += 3
                continue
            }
            guard isRegNameByte(byte) else { return false }
            i += 1
        }
        guard i > 0 else { return false }  // ":80" names no host
    }
    if i == count { return true }
    guard value[i] == 0x3A else { return false }
    i += 1
    let digits = count - i
    guard digits <= 5 else { return false }
    var port = 0
    while i < count {
        let byte = value[i]
        guard byte >= 0x30 && byte <= 0x39 else { return false }
        port = port * 10 + Int(byte - 0x30)
        i += 1
    }
    return port <= 65535
}

@inline(__always)
private func isHexDigit(_ byte: UInt8) -> Bool {
    (byte >= 0x30 && byte <= 0x39) || ((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x66)
}

/// unreserved / sub-delims of RFC 3986.
@inline(__always)
private func isRegNameByte(_ byte: UInt8) -> Bool {
    switch byte {
    case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x2D, 0x2E, 0x5F, 0x7E: return true  // unreserved
    case 0x21, 0x24, 0x26, 0x27, 0x28, 0x29, 0x2A, 0x2B, 0x2C, 0x3B, 0x3D: return true  // sub-delims
    default: return false
    }
}

/// Byte classes for the parser's inner loops, one table lookup per byte.
enum HTTPByteClass {
    /// tchar (RFC 9110 §5.6.2): method, field names, chunk-extension names.
    static let token: UInt8 = 1
    /// A request-target byte: visible ASCII (its form is checked afterwards).
    static let target: UInt8 = 2
    /// field-vchar / SP / HTAB / obs-text: a field value (no CR, LF, NUL, other CTLs, DEL).
    static let fieldValue: UInt8 = 4

    /// 256 entries, built once, never freed.
    nonisolated(unsafe) static let table: UnsafePointer<UInt8> = {
        let table = UnsafeMutablePointer<UInt8>.allocate(capacity: 256)
        for byte in 0..<256 {
            var cls: UInt8 = 0
            if isTokenByte(UInt8(byte)) { cls |= token }
            if byte >= 0x21 && byte <= 0x7E { cls |= target }
            if byte == 0x09 || (byte >= 0x20 && byte != 0x7F) { cls |= fieldValue }
            table[byte] = cls
        }
        return UnsafePointer(table)
    }()
}

@inline(__always)
func isTokenByte(_ byte: UInt8) -> Bool {
    // tchar: "!#$%&'*+-.^_`|~" / DIGIT / ALPHA
    switch byte {
    case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
    case 0x21, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x2D, 0x2E, 0x5E, 0x5F, 0x60, 0x7C, 0x7E: return true
    default: return false
    }
}
