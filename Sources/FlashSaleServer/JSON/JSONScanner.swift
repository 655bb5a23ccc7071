/// A strict, allocation-free JSON tokenizer over a byte buffer (RFC 8259).
///
/// Used where Foundation must not be: the purchase body and JWT header and
/// claims. Strings are returned as byte ranges of the input; callers decide
/// whether escapes are acceptable. Nesting is bounded by ``maxDepth``.
struct JSONScanner {
    /// Why the input is not the JSON the caller expects.
    enum Failure: Error, Equatable {
        case unexpectedEnd
        case unexpectedByte(at: Int)
        case invalidString(at: Int)
        case invalidNumber(at: Int)
        case tooDeep
    }

    /// A JSON string token: the bytes between the quotes, undecoded.
    struct StringToken {
        let start: Int
        let end: Int
        /// Whether the raw bytes contain a backslash escape.
        let hasEscapes: Bool
        var count: Int { end - start }
    }

    /// A JSON number token, classified.
    enum NumberToken: Equatable {
        /// An integer that fits in `Int64`.
        case integer(Int64)
        /// An integer with more digits than `Int64` holds.
        case integerOverflow
        /// A number with a fraction or an exponent; `truncated` is its integral
        /// part when it has no exponent and fits in `Int64`.
        case nonInteger(truncated: Int64?)
    }

    static let maxDepth = 32

    let bytes: UnsafeRawBufferPointer
    private(set) var position = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    var atEnd: Bool { position >= bytes.count }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    /// The next non-whitespace byte, not consumed.
    mutating func peek() throws(Failure) -> UInt8 {
        skipWhitespace()
        guard position < bytes.count else { throw .unexpectedEnd }
        return bytes[position]
    }

    /// Consumes `byte` (after whitespace) or fails.
    mutating func expect(_ byte: UInt8) throws(Failure) {
        let next = try peek()
        guard next == byte else { throw .unexpectedByte(at: position) }
        position += 1
    }

    /// Consumes `byte` if it comes next; returns whether it did.
    mutating func consume(_ byte: UInt8) throws(Failure) -> Bool {
        guard try peek() == byte else { return false }
        position += 1
        return true
    }

    /// Reads one JSON object member by member: `{`, then each member's key and `:`,
    /// handing the key to `member`, which must read or skip the value; then `}`.
    mutating func readObject(_ member: (inout JSONScanner, StringToken) throws -> Void) throws {
        try expect(UInt8(ascii: "{"))
        if try consume(UInt8(ascii: "}")) { return }
        repeat {
            let key = try readString()
            try expect(UInt8(ascii: ":"))
            try member(&self, key)
        } while try consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"))
    }

    /// Whether only whitespace remains.
    mutating func onlyWhitespaceRemains() -> Bool {
        skipWhitespace()
        return atEnd
    }

    /// Reads a string token; validates escapes and rejects control characters.
    mutating func readString() throws(Failure) -> StringToken {
        try expect(UInt8(ascii: "\""))
        let start = position
        var escapes = false
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                let token = StringToken(start: start, end: position, hasEscapes: escapes)
                position += 1
                return token
            case UInt8(ascii: "\\"):
                escapes = true
                position += 1
                guard position < bytes.count else { throw .unexpectedEnd }
                switch bytes[position] {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
                     UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    position += 1
                case UInt8(ascii: "u"):
                    guard position + 4 < bytes.count else { throw .unexpectedEnd }
                    for offset in 1...4 where !Self.isHexDigit(bytes[position + offset]) {
                        throw .invalidString(at: position + offset)
                    }
                    position += 5
                default:
                    throw .invalidString(at: position)
                }
            case 0x00..<0x20:
                throw .invalidString(at: position)
            default:
                position += 1
            }
        }
        throw .unexpectedEnd
    }

    /// Reads a number token (RFC 8259 grammar), classifying it.
    mutating func readNumber() throws(Failure) -> NumberToken {
        skipWhitespace()
        let start = position
        var negative = false
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") {
            negative = true
            position += 1
        }
        guard position < bytes.count else { throw .unexpectedEnd }
        guard Self.isDigit(bytes[position]) else { throw .invalidNumber(at: start) }
        // A leading zero may not be followed by more digits.
        if bytes[position] == UInt8(ascii: "0"), position + 1 < bytes.count, Self.isDigit(bytes[position + 1]) {
            throw .invalidNumber(at: start)
        }
        var magnitude: UInt64 = 0
        var overflow = false
        while position < bytes.count, Self.isDigit(bytes[position]) {
            let digit = UInt64(bytes[position] &- UInt8(ascii: "0"))
            let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(digit)
            if o1 || o2 { overflow = true }
            magnitude = sum
            position += 1
        }
        var integral = true
        var hasExponent = false
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            integral = false
            position += 1
            guard position < bytes.count, Self.isDigit(bytes[position]) else { throw .invalidNumber(at: start) }
            while position < bytes.count, Self.isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            integral = false
            hasExponent = true
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < bytes.count, Self.isDigit(bytes[position]) else { throw .invalidNumber(at: start) }
            while position < bytes.count, Self.isDigit(bytes[position]) { position += 1 }
        }
        let value: Int64?
        if overflow {
            value = nil
        } else if negative {
            value = magnitude <= UInt64(Int64.max) + 1
                ? (magnitude == UInt64(Int64.max) + 1 ? .min : -Int64(magnitude)) : nil
        } else {
            value = magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
        }
        guard integral else { return .nonInteger(truncated: hasExponent ? nil : value) }
        guard let value else { return .integerOverflow }
        return .integer(value)
    }

    /// Consumes the literal `word` (`true`, `false`, `null`).
    mutating func readLiteral(_ word: StaticString) throws(Failure) {
        skipWhitespace()
        let count = word.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw .unexpectedEnd }
        let base = word.utf8Start
        for offset in 0..<count where bytes[position + offset] != base[offset] {
            throw .unexpectedByte(at: position + offset)
        }
        position += count
    }

    /// Skips one whole value of any type, checking its grammar.
    mutating func skipValue(depth: Int = 0) throws(Failure) {
        guard depth < Self.maxDepth else { throw .tooDeep }
        switch try peek() {
        case UInt8(ascii: "\""):
            _ = try readString()
        case UInt8(ascii: "{"):
            position += 1
            if try consume(UInt8(ascii: "}")) { return }
            repeat {
                _ = try readString()
                try expect(UInt8(ascii: ":"))
                try skipValue(depth: depth + 1)
            } while try consume(UInt8(ascii: ","))
            try expect(UInt8(ascii: "}"))
        case UInt8(ascii: "["):
            position += 1
            if try consume(UInt8(ascii: "]")) { return }
            repeat {
                try skipValue(depth: depth + 1)
            } while try consume(UInt8(ascii: ","))
            try expect(UInt8(ascii: "]"))
        case UInt8(ascii: "t"): try readLiteral("true")
        case UInt8(ascii: "f"): try readLiteral("false")
        case UInt8(ascii: "n"): try readLiteral("null")
        default:
            _ = try readNumber()
        }
    }

    /// Whether the raw bytes of `token` equal `literal` (no escapes considered).
    func tokenEquals(_ token: StringToken, _ literal: StaticString) -> Bool {
        guard !token.hasEscapes, token.count == literal.utf8CodeUnitCount else { return false }
        let base = literal.utf8Start
        for offset in 0..<token.count where bytes[token.start + offset] != base[offset] {
            return false
        }
        return true
    }

    /// The raw bytes of `token`.
    func slice(_ token: StringToken) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[token.start..<token.end])
    }

    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    @inline(__always) static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "f"))
    }
}
