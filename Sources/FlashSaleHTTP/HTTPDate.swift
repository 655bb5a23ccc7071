/// Formats IMF-fixdate lines ("Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n")
/// without Foundation; the worker caches one per second.
enum HTTPDate {
    static let lineLength = 37

    /// Writes the `Date` header line for `unixSeconds` into `out` (37 bytes).
    static func writeLine(unixSeconds: Int64, into out: UnsafeMutableRawPointer) {
        let days = unixSeconds >= 0 ? unixSeconds / 86_400 : (unixSeconds - 86_399) / 86_400
        let secondsOfDay = Int(unixSeconds - days * 86_400)
        let weekday = Int((days % 7 + 11) % 7)  // 1970-01-01 was a Thursday (index 4).
        let (year, month, day) = CivilCalendar.date(fromDays: Int(days))

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

/// Proleptic Gregorian dates and day counts since 1970-01-01 (Howard Hinnant's
/// algorithms), for the `Date` header and RFC 3339 times.
package enum CivilCalendar {
    /// Days since 1970-01-01 of a civil date.
    package static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The civil date of a day count since 1970-01-01.
    package static func date(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
