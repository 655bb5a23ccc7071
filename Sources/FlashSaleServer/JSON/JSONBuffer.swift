import FlashSaleLoop

/// Writes JSON into a byte array: objects, arrays, escaped strings, integers
/// and RFC 3339 timestamps, with commas placed automatically. No Foundation;
/// the only allocation is the array itself (reserve once, reuse by `reset`).
public struct JSONBuffer: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8]
    // Bit n set: the container at depth n already holds an element.
    private var hasElement: UInt64 = 0
    private var depth = 0
    private var afterKey = false

    /// Creates an empty buffer with room for `capacity` bytes.
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Empties the buffer, keeping its storage.
    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        hasElement = 0
        depth = 0
        afterKey = false
    }

    /// The text written so far.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    // MARK: containers

    /// Writes `{`, runs `body`, writes `}`.
    public mutating func object(_ body: (inout JSONBuffer) -> Void) {
        beginValue()
        open(UInt8(ascii: "{"))
        body(&self)
        close(UInt8(ascii: "}"))
    }

    /// Writes `[`, runs `body`, writes `]`.
    public mutating func array(_ body: (inout JSONBuffer) -> Void) {
        beginValue()
        open(UInt8(ascii: "["))
        body(&self)
        close(UInt8(ascii: "]"))
    }

    /// Writes `"key":` (key is a literal and must need no escaping).
    public mutating func key(_ key: StaticString) {
        beginValue()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: key.utf8Start, count: key.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    /// Writes `"key":` for a key known only at run time (escaped like a string value).
    public mutating func key(escaping key: String) {
        string(key)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    // MARK: fields

    /// `"key":"value"`, escaped.
    public mutating func field(_ name: StaticString, string value: String) {
        key(name)
        self.string(value)
    }

    /// `"key":123`.
    public mutating func field(_ name: StaticString, integer value: Int64) {
        key(name)
        integer(value)
    }

    /// `"key":123`.
    public mutating func field(_ name: StaticString, integer value: Int) {
        field(name, integer: Int64(value))
    }

    /// `"key":true`.
    public mutating func field(_ name: StaticString, bool value: Bool) {
        key(name)
        beginValue()
        appendLiteral(value ? "true" : "false")
    }

    /// `"key":"2025-06-01T12:00:00.000Z"` from Unix milliseconds.
    public mutating func field(_ name: StaticString, timestampMillis value: Int64) {
        key(name)
        timestamp(millis: value)
    }

    /// `"key":null`.
    public mutating func nullField(_ name: StaticString) {
        key(name)
        beginValue()
        appendLiteral("null")
    }

    // MARK: values

    /// A string value, escaped per RFC 8259.
    public mutating func string(_ value: String) {
        beginValue()
        bytes.append(UInt8(ascii: "\""))
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): appendLiteral("\\\"")
            case UInt8(ascii: "\\"): appendLiteral("\\\\")
            case 0x0A: appendLiteral("\\n")
            case 0x0D: appendLiteral("\\r")
            case 0x09: appendLiteral("\\t")
            case 0x08: appendLiteral("\\b")
            case 0x0C: appendLiteral("\\f")
            case 0x00..<0x20:
                appendLiteral("\\u00")
                bytes.append(Self.hex[Int(byte >> 4)])
                bytes.append(Self.hex[Int(byte & 0xF)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A string value from bytes known to need no escaping (e.g. an order id).
    public mutating func asciiString(_ raw: UnsafeRawBufferPointer) {
        beginValue()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: raw)
        bytes.append(UInt8(ascii: "\""))
    }

    /// An integer value.
    public mutating func integer(_ value: Int64) {
        beginValue()
        ASCIIDecimal.withDigits(value) { bytes.append(contentsOf: $0) }
    }

    /// An RFC 3339 UTC timestamp string value.
    public mutating func timestamp(millis: Int64) {
        beginValue()
        bytes.append(UInt8(ascii: "\""))
        RFC3339.format(millis) { bytes.append($0) }
        bytes.append(UInt8(ascii: "\""))
    }

    // MARK: plumbing

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func appendLiteral(_ literal: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    private mutating func beginValue() {
        if afterKey {
            afterKey = false
            return
        }
        guard depth > 0 else { return }
        let bit: UInt64 = 1 << UInt64(depth - 1)
        if hasElement & bit != 0 {
            bytes.append(UInt8(ascii: ","))
        } else {
            hasElement |= bit
        }
    }

    private mutating func open(_ byte: UInt8) {
        bytes.append(byte)
        precondition(depth < 64, "JSON nested deeper than 64 levels")
        depth += 1
        hasElement &= ~(1 << UInt64(depth - 1))
    }

    private mutating func close(_ byte: UInt8) {
        depth -= 1
        bytes.append(byte)
    }
}
