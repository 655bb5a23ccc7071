import FlashSaleRedis

/// The query of `/api/snapshot` and `/api/events`: which page of sales and which sale in detail.
///
/// `page` (1…), `per_page` (1…100, default 20), `sale` (a sale id: its plots
/// and SKUs), `q` (only sales whose id starts with it). Anything else, a
/// repeated parameter or a bad value is refused with a message (HTTP 400).
struct DashboardQuery: Equatable {
    var page = 1
    var perPage = 20
    var sale: String?
    var prefix: String?

    static let maxPerPage = 100

    /// A refused query: the `code` and `message` of the 400 answer.
    struct Refusal: Error, Equatable {
        var code: String
        var message: String
    }

    /// Parses the raw query string (after `?`, percent-encoded).
    static func parse(_ raw: String) throws(Refusal) -> DashboardQuery {
        var query = DashboardQuery()
        var seen = Set<String>()
        for pair in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = percentDecoded(parts[0]), let value = percentDecoded(parts.count > 1 ? parts[1] : "") else {
                throw Refusal(code: "bad_query", message: "the query is not valid percent-encoded UTF-8")
            }
            guard seen.insert(name).inserted else {
                throw Refusal(code: "bad_query", message: "parameter '\(printable(name))' is given twice")
            }
            switch name {
            case "page":
                guard let number = Int(value), number >= 1, number <= 1_000_000 else {
                    throw Refusal(code: "bad_query", message: "page must be an integer >= 1")
                }
                query.page = number
            case "per_page":
                guard let number = Int(value), number >= 1, number <= maxPerPage else {
                    throw Refusal(code: "bad_query", message: "per_page must be an integer from 1 to \(maxPerPage)")
                }
                query.perPage = number
            case "sale":
                guard FlashSaleKeys.isValidIdentifier(value) else {
                    throw Refusal(code: "bad_query", message: "sale must be 1-128 characters of A-Z a-z 0-9 . _ - : /")
                }
                query.sale = value
            case "q":
                guard value.isEmpty || FlashSaleKeys.isValidIdentifier(value) else {
                    throw Refusal(code: "bad_query", message: "q must be up to 128 characters of A-Z a-z 0-9 . _ - : /")
                }
                query.prefix = value.isEmpty ? nil : value
            default:
                throw Refusal(code: "bad_query", message: "unknown parameter '\(printable(name))' (known: page, per_page, sale, q)")
            }
        }
        return query
    }

    /// `%XX` and `+` decoded; nil for a bad escape or invalid UTF-8.
    static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(0x20)
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            default: bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// A parameter name as shown in a message (at most 40 printable ASCII characters).
    private static func printable(_ text: String) -> String {
        String(text.unicodeScalars.prefix(40).map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : "?" })
    }
}
