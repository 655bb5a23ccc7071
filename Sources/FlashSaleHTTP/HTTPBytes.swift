/// A view of bytes inside a request (a path, a header value, a body).
///
/// Valid only while the handler that received the request runs: copy what
/// you keep (``string``, `Array(bytes)`).
public struct HTTPBytes {
    /// The bytes.
    public let bytes: UnsafeRawBufferPointer

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    init(_ base: UnsafeRawPointer, _ count: Int) { bytes = UnsafeRawBufferPointer(start: base, count: count) }

    /// An empty view.
    public static var empty: HTTPBytes { HTTPBytes(UnsafeRawBufferPointer(start: nil, count: 0)) }

    /// Number of bytes.
    public var count: Int { bytes.count }
    /// Whether there are no bytes.
    public var isEmpty: Bool { bytes.isEmpty }

    /// A byte.
    public subscript(index: Int) -> UInt8 { bytes[index] }

    /// A copy as a String (invalid UTF-8 is repaired).
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// A copy as an array.
    public var array: [UInt8] { Array(bytes) }

    /// Exact byte equality with `text`.
    public func equals(_ text: StaticString) -> Bool {
        guard text.utf8CodeUnitCount == bytes.count else { return false }
        if bytes.isEmpty { return true }
        return memcmpBytes(bytes.baseAddress!, UnsafeRawPointer(text.utf8Start), bytes.count)
    }

    /// ASCII case-insensitive equality with `text`.
    public func equalsIgnoringCase(_ text: StaticString) -> Bool {
        guard text.utf8CodeUnitCount == bytes.count else { return false }
        return asciiEqualIgnoringCase(bytes.baseAddress, UnsafeRawPointer(text.utf8Start), bytes.count)
    }

    /// Whether the bytes start with `prefix`, ignoring ASCII case.
    /// The length of a leading `http://` or `https://` (any case), nil for any other
    /// start: the schemes an absolute-form request target may have.
    var httpSchemeLength: Int? {
        if hasPrefixIgnoringCase("http://") { return 7 }
        if hasPrefixIgnoringCase("https://") { return 8 }
        return nil
    }

    public func hasPrefixIgnoringCase(_ prefix: StaticString) -> Bool {
        guard prefix.utf8CodeUnitCount <= bytes.count else { return false }
        return asciiEqualIgnoringCase(bytes.baseAddress, UnsafeRawPointer(prefix.utf8Start), prefix.utf8CodeUnitCount)
    }

    /// The value as a non-negative decimal integer (digits only, at most 18), or nil.
    public var decimalValue: Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        return value
    }

    /// The bytes without leading and trailing spaces and tabs.
    public var trimmed: HTTPBytes {
        guard let base = bytes.baseAddress else { return self }
        var start = 0
        var end = bytes.count
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        return HTTPBytes(base + start, end - start)
    }
}

@inline(__always)
func memcmpBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
    var i = 0
    while i < count {
        if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
        i += 1
    }
    return true
}

@inline(__always)
func asciiLower(_ byte: UInt8) -> UInt8 { byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte }

@inline(__always)
func asciiEqualIgnoringCase(_ a: UnsafeRawPointer?, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
    guard count > 0 else { return true }
    guard let a else { return false }
    var i = 0
    while i < count {
        if asciiLower(a.load(fromByteOffset: i, as: UInt8.self)) != asciiLower(b.load(fromByteOffset: i, as: UInt8.self)) {
            return false
        }
        i += 1
    }
    return true
}
