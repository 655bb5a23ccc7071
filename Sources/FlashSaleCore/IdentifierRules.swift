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
        isValid(bytes, maxLength: maxNameLength, isNameByte)
    }

    /// Whether `name` is a valid sale id or SKU.
    public static func isValidName(_ name: String) -> Bool {
        withBytes(of: name, isValidName)
    }

    /// Whether `bytes` is a valid user id.
    public static func isValidUser(_ bytes: UnsafeRawBufferPointer) -> Bool {
        isValid(bytes, maxLength: maxUserLength, isUserByte)
    }

    /// Whether `user` is a valid user id.
    public static func isValidUser(_ user: String) -> Bool {
        withBytes(of: user, isValidUser)
    }

    /// Longest carrier or tracking number of a fulfilment, in bytes.
    public static let maxShipmentTokenLength = 64

    /// Whether `bytes` is a valid carrier or tracking number: 1–64 bytes by the user-id
    /// alphabet (printable ASCII other than space, `"` and `\`): one token of the packed
    /// order record, a JSON string without escapes.
    public static func isValidShipmentToken(_ bytes: UnsafeRawBufferPointer) -> Bool {
        isValid(bytes, maxLength: maxShipmentTokenLength, isUserByte)
    }

    /// 1…`maxLength` bytes, each `allowed`.
    @inline(__always)
    private static func isValid(_ bytes: UnsafeRawBufferPointer, maxLength: Int, _ allowed: (UInt8) -> Bool) -> Bool {
        guard bytes.count >= 1, bytes.count <= maxLength else { return false }
        for byte in bytes where !allowed(byte) { return false }
        return true
    }

    @inline(__always)
    private static func withBytes(of text: String, _ check: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        var text = text
        return text.withUTF8 { check(UnsafeRawBufferPointer($0)) }
    }
}
