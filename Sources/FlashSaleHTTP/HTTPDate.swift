/// Formats IMF-fixdate lines ("Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n")
/// without Foundation; the worker caches one per second.
enum HTTPDate {
    static let lineLength = 37

    /// Writes the `Date` header line for `unixSeconds` into `out` (37 bytes).
    static func writeLine(unixSeconds: Int64, into out: UnsafeMutableRawPointer) {
        let days = unixSeconds >= 0 ? unixSeconds / 86_400 : (unixSeconds - 86_399) / 86_400
        let secondsOfDay = Int(unixSeconds - days * 86_400)
        let weekday = Int((days % 7 + 11) % 7)  // 1970-01-01 was a Thursday (index 4).
        // Civil date from days (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = Int(doy - (153 * mp + 2) / 5 + 1)
        let month = Int(mp < 10 ? mp + 3 : mp - 9)
        let year = Int(yoe + era * 400 + (month <= 2 ? 1 : 0))

        let dayNames: StaticString = "SunMonTueWedThuFriSat"
        let monthNames: StaticString = "JanFebMarAprMayJunJulAugSepOctNovDec"
        var i = 0
        func put(_ byte: UInt8) {
            out.storeBytes(of: byte, toByteOffset: i, as: UInt8.self)
            i += 1
        }
        func put(_ text: StaticString, from: Int, count: Int) {
            for k in 0..<count { put(text.utf8Start[from + k]) }
        }
        func two(_ v: Int) {
            put(UInt8(0x30 + v / 10))
            put(UInt8(0x30 + v % 10))
        }
        put("Date: ", from: 0, count: 6)
        put(dayNames, from: weekday * 3, count: 3)
        put(0x2C)
        put(0x20)
        two(day)
        put(0x20)
        put(monthNames, from: (month - 1) * 3, count: 3)
        put(0x20)
        two(year / 100 % 100)
        two(year % 100)
        put(0x20)
        two(secondsOfDay / 3600)
        put(0x3A)
        two(secondsOfDay / 60 % 60)
        put(0x3A)
        two(secondsOfDay % 60)
        put(" GMT\r\n", from: 0, count: 6)
    }
}
