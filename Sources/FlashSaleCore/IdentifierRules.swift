/// What the engine accepts as sale ids, SKUs and user ids.
///
/// These strings become parts of Redis keys and hash fields and are echoed in
/// JSON, so they are kept to a small, safe alphabet (documented in docs/api.md).
public enum IdentifierRules {
    /// Longest sale id, SKU or order id, in bytes.
    public static let maxNameLength = 64
    /// Longest user id (`sub` or `X-User-Id`), in bytes.
    public static let maxUserLength = 128

    /// Sale ids and SKUs: 1–64 of `A–Z a–z 0–9 . _ -`.
    @inline(__always)
    public static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }

    /// User ids: 1–128 printable ASCII bytes other than space, `"` and `\`.
    @inline(__always)
    public static func isUserByte(_ byte: UInt8) -> Bool {
        byte > 0x20 && byte < 0x7F && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\")
    }

    /// Whether `bytes` is a valid sale id or SKU.
    public static func isValidName(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 1, bytes.count <= maxNameLength else { return false }
        for byte in bytes where !isNameByte(byte) { return false }
        return true
    }

    /// Whether `name` is a valid sale id or SKU.
    public static func isValidName(_ name: String) -> Bool {
        var name = name
        return name.withUTF8 { isValidName(UnsafeRawBufferPointer($0)) }
    }

    /// Whether `bytes` is a valid user id.
    public static func isValidUser(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 1, bytes.count <= maxUserLength else { return false }
        for byte in bytes where !isUserByte(byte) { return false }
        return true
    }

    /// Whether `user` is a valid user id.
    public static func isValidUser(_ user: String) -> Bool {
        var user = user
        return user.withUTF8 { isValidUser(UnsafeRawBufferPointer($0)) }
    }
}
