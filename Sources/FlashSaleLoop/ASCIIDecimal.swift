/// Decimal text of an integer without a String: the digits are formatted on the stack
/// and handed to the caller (JSON numbers, RESP lengths and arguments).
package enum ASCIIDecimal {
    /// Calls `body` with the ASCII decimal form of `value` (a leading `-` when negative).
    @inline(__always)
    package static func withDigits<R>(_ value: Int64, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        // 20 digits hold UInt64.max, plus the sign: written backwards from the end.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 21) { digits in
            var magnitude = value.magnitude
            var start = 21
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 {
                start -= 1
                digits[start] = UInt8(ascii: "-")
            }
            return body(UnsafeRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(digits)[start...]))
        }
    }
}
