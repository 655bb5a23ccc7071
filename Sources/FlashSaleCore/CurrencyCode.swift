/// ISO 4217 alphabetic currency codes: a sale's `currency`.
///
/// ``active`` is the list of codes ISO 4217 lists as current (list one, including the
/// fund and precious-metal codes such as `XAU`, and `XXX`, "no currency", which a sale
/// without prices carries). A code must be exactly three upper-case letters `A–Z` and one
/// of these; anything else is refused.
public enum CurrencyCode {
    /// The three ASCII letters of a code, held inline (written into answers without a String).
    public struct Letters: Sendable, Hashable {
        /// The letters, in order (each `A–Z`).
        public let first: UInt8, second: UInt8, third: UInt8

        /// The letters of `code` (a well-formed code; anything else gives `XXX`).
        public init(_ code: String) {
            let bytes = Array(code.utf8)
            guard bytes.count == 3 else {
                (first, second, third) = (UInt8(ascii: "X"), UInt8(ascii: "X"), UInt8(ascii: "X"))
                return
            }
            (first, second, third) = (bytes[0], bytes[1], bytes[2])
        }
    }

    /// The currency of a sale without prices (ISO 4217 "no currency"); its amounts are 0.
    public static let none = "XXX"

    /// Active ISO 4217 alphabetic codes, sorted.
    public static let active: [StaticString] = [
        "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN",
        "BAM", "BBD", "BDT", "BGN", "BHD", "BIF", "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD",
        "CAD", "CDF", "CHE", "CHF", "CHW", "CLF", "CLP", "CNY", "COP", "COU", "CRC", "CUC", "CUP", "CVE", "CZK",
        "DJF", "DKK", "DOP", "DZD",
        "EGP", "ERN", "ETB", "EUR",
        "FJD", "FKP",
        "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD",
        "HKD", "HNL", "HTG", "HUF",
        "IDR", "ILS", "INR", "IQD", "IRR", "ISK",
        "JMD", "JOD", "JPY",
        "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD", "KYD", "KZT",
        "LAK", "LBP", "LKR", "LRD", "LSL", "LYD",
        "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN",
        "NAD", "NGN", "NIO", "NOK", "NPR", "NZD",
        "OMR",
        "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "PYG",
        "QAR",
        "RON", "RSD", "RUB", "RWF",
        "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SLL", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL",
        "THB", "TJS", "TMT", "TND", "TOP", "TRY", "TTD", "TWD", "TZS",
        "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS",
        "VED", "VES", "VND", "VUV",
        "WST",
        "XAF", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XCD", "XCG", "XDR", "XOF", "XPD", "XPF", "XPT", "XSU", "XTS",
        "XUA", "XXX",
        "YER",
        "ZAR", "ZMW", "ZWG", "ZWL",
    ]

    /// Whether `code` is exactly three upper-case letters `A–Z`.
    public static func isWellFormed(_ code: String) -> Bool {
        var count = 0
        for byte in code.utf8 {
            guard byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") else { return false }
            count += 1
        }
        return count == 3
    }

    /// Whether `code` is an active ISO 4217 code (well formed and in ``active``).
    public static func isActive(_ code: String) -> Bool {
        guard isWellFormed(code) else { return false }
        let bytes = Array(code.utf8)
        return active.contains { known in
            known.withUTF8Buffer { $0.elementsEqual(bytes) }
        }
    }
}
