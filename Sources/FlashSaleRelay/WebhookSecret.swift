import Foundation

/// One endpoint signing secret in the Standard Webhooks form `whsec_<base64>`:
/// the key is the base64-decoded bytes, 24 to 64 of them.
public struct WebhookSecret: Sendable, Equatable {
    /// The decoded key bytes.
    public let key: [UInt8]

    /// Fewest key bytes accepted (the Standard Webhooks minimum, 192 bits).
    public static let minimumBytes = 24
    /// Most key bytes accepted (512 bits).
    public static let maximumBytes = 64
    /// The prefix every secret carries.
    public static let prefix = "whsec_"

    /// Why a secret was refused.
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        /// The reason (never the secret itself).
        public var description: String
    }

    /// Parses `text`; refuses a missing prefix, bad base64, and keys outside 24…64 bytes.
    public init(_ text: String) throws(Invalid) {
        guard text.hasPrefix(Self.prefix) else { throw Invalid(description: "must start with \(Self.prefix)") }
        guard let data = Data(base64Encoded: String(text.dropFirst(Self.prefix.count))) else {
            throw Invalid(description: "is not valid base64 after \(Self.prefix)")
        }
        guard data.count >= Self.minimumBytes else {
            throw Invalid(description: "decodes to \(data.count) bytes; at least \(Self.minimumBytes) are required")
        }
        guard data.count <= Self.maximumBytes else {
            throw Invalid(description: "decodes to \(data.count) bytes; at most \(Self.maximumBytes) are allowed")
        }
        key = Array(data)
    }
}
