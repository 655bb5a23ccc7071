import FlashSaleHTTP

/// Finds small string fields in JSON response bodies without decoding them.
///
/// The engine's bodies are flat and small (`{"order_id":"…",…}`,
/// `{"error":{"code":"sold_out",…}}`); a byte search for `"name":"` is all
/// the driver needs, and it allocates nothing until a value is kept.
enum ResponseBodyScan {
    static let orderIDField = Array(#""order_id""#.utf8)
    static let codeField = Array(#""code""#.utf8)
    private static let codeTable = APIErrorCode.allCases.map { (ErrorCode.api($0), Array($0.text.utf8)) }

    /// The byte range of the string value of `field` (given with its quotes), if present.
    static func stringValue(_ field: [UInt8], in body: UnsafeRawBufferPointer) -> Range<Int>? {
        let count = body.count
        guard count > field.count else { return nil }
        var start = 0
        while start + field.count <= count {
            var matches = true
            for offset in 0..<field.count where body[start + offset] != field[offset] {
                matches = false
                break
            }
            if matches {
                var index = start + field.count
                while index < count && (body[index] == 32 || body[index] == 58) { index += 1 }  // spaces, ':'
                guard index < count, body[index] == 34 else { return nil }
                let valueStart = index + 1
                var end = valueStart
                while end < count && body[end] != 34 { end += 1 }
                return end < count ? valueStart..<end : nil
            }
            start += 1
        }
        return nil
    }

    /// The `order_id` of a purchase response.
    static func orderID(in body: UnsafeRawBufferPointer) -> String? {
        guard let range = stringValue(orderIDField, in: body) else { return nil }
        return String(decoding: UnsafeRawBufferPointer(rebasing: body[range]), as: UTF8.self)
    }

    /// The error code of an error response, as one of the codes the driver counts.
    static func errorCode(in body: UnsafeRawBufferPointer) -> ErrorCode {
        guard let range = stringValue(codeField, in: body) else { return .none }
        let value = UnsafeRawBufferPointer(rebasing: body[range])
        for (code, text) in codeTable where bytesEqual(value, text) { return code }
        return .other
    }

    private static func bytesEqual(_ lhs: UnsafeRawBufferPointer, _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for index in 0..<rhs.count where lhs[index] != rhs[index] { return false }
        return true
    }
}

/// The error code of an answer as the driver counts it: none (a success), one of the
/// engine's codes (the one error table, ``APIErrorCode``), or a code the table lacks.
public enum ErrorCode: Hashable, Sendable {
    case none
    case api(APIErrorCode)
    case other

    /// Every value, in ``index`` order.
    public static let allCases: [ErrorCode] = [.none] + APIErrorCode.allCases.map { .api($0) } + [.other]

    /// A dense index (for counting arrays).
    public var index: Int {
        switch self {
        case .none: return 0
        case .api(let code): return 1 + Int(code.rawValue)
        case .other: return 1 + APIErrorCode.allCases.count
        }
    }

    /// The code as it appears in the response body.
    public var text: String {
        switch self {
        case .none: return ""
        case .api(let code): return code.text
        case .other: return "other"
        }
    }
}
