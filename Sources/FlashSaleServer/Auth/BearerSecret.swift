/// A static bearer secret (the admin or the payment service token), checked
/// against an `Authorization: Bearer …` header value in constant time.
public struct BearerSecret: Sendable {
    private let expected: [UInt8]

    /// Creates a checker for `secret`. An empty secret never matches.
    public init(_ secret: String) {
        expected = Array(secret.utf8)
    }

    /// Whether the whole `Authorization` header value is `Bearer <secret>`.
    public func matches(authorization header: UnsafeRawBufferPointer) -> Bool {
        guard !expected.isEmpty, let token = BearerToken.extract(header) else { return false }
        return ConstantTime.equal(expected, token)
    }

    /// Whether the whole `Authorization` header value is `Bearer <secret>`.
    public func matches(authorization header: String) -> Bool {
        var header = header
        return header.withUTF8 { matches(authorization: UnsafeRawBufferPointer($0)) }
    }
}

/// Reads the token out of an `Authorization: Bearer <token>` header value.
enum BearerToken {
    private static let prefix: [UInt8] = Array("bearer ".utf8)

    /// The bytes after `Bearer ` (scheme case-insensitive, surrounding spaces
    /// trimmed), or nil when the header uses another scheme or is empty.
    static func extract(_ header: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        var start = 0
        var end = header.count
        while start < end, header[start] == 0x20 || header[start] == 0x09 { start += 1 }
        while end > start, header[end - 1] == 0x20 || header[end - 1] == 0x09 { end -= 1 }
        guard end - start > prefix.count else { return nil }
        for index in 0..<prefix.count where header[start + index] | 0x20 != prefix[index] {
            // `| 0x20` lowercases letters; the space in the prefix stays a space.
            return nil
        }
        start += prefix.count
        while start < end, header[start] == 0x20 { start += 1 }
        guard start < end else { return nil }
        return UnsafeRawBufferPointer(rebasing: header[start..<end])
    }
}
