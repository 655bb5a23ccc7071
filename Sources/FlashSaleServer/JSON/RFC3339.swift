import FlashSaleHTTP

/// RFC 3339 timestamps <-> Unix milliseconds, by hand (no Foundation, no
/// locale or time-zone database): `2025-06-01T12:00:00Z`,
/// `2025-06-01T14:00:00.250+02:00`. Output is always UTC with milliseconds.
public enum RFC3339 {
    /// Parses an RFC 3339 date-time (`T`/`t`/space separator, `Z`/`z` or a
    /// numeric offset, optional fraction truncated to milliseconds) into Unix
    /// milliseconds; nil when the text is not one, names an impossible date,
    /// or an instant before 1970-01-01T00:00:00Z or after 9999-12-31T23:59:59.999Z.
    public static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        var index = 0
        func digits(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for offset in 0..<count {
                let byte = bytes[index + offset]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            index += count
            return value
        }
        func literal(_ options: [UInt8]) -> Bool {
            guard index < bytes.count, options.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        guard let year = digits(4), literal([UInt8(ascii: "-")]), let month = digits(2),
              literal([UInt8(ascii: "-")]), let day = digits(2),
              literal([UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")]),
              let hour = digits(2), literal([UInt8(ascii: ":")]), let minute = digits(2),
              literal([UInt8(ascii: ":")]), let second = digits(2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour <= 23, minute <= 59, second <= 60 // 60: a leap second, folded into the next
        else { return nil }
        var millis = 0
        if literal([UInt8(ascii: ".")]) {
            var place = 100
            var count = 0
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                millis += Int(bytes[index] - UInt8(ascii: "0")) * place
                place /= 10
                index += 1
                count += 1
            }
            guard count > 0 else { return nil }
        }
        var offsetMinutes = 0
        if literal([UInt8(ascii: "Z"), UInt8(ascii: "z")]) {
            offsetMinutes = 0
        } else if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let offsetHours = digits(2), literal([UInt8(ascii: ":")]), let offsetMins = digits(2),
                  offsetHours <= 23, offsetMins <= 59 else { return nil }
            offsetMinutes = sign * (offsetHours * 60 + offsetMins)
        } else {
            return nil
        }
        guard index == bytes.count else { return nil }
        let days = CivilCalendar.days(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetMinutes * 60)
        let instant = seconds * 1000 + Int64(millis)
        // Only instants that format back to the same text's instant: 1970 to 9999 UTC.
        guard instant >= 0 && instant <= maxMillis else { return nil }
        return instant
    }

    /// 9999-12-31T23:59:59.999Z, the last instant `format` can write.
    public static let maxMillis: Int64 = 253_402_300_799_999

    /// Writes `millis` as `YYYY-MM-DDTHH:MM:SS.mmmZ` (24 bytes) through `emit`.
    @inline(__always)
    static func format(_ millis: Int64, _ emit: (UInt8) -> Void) {
        let totalSeconds = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let fraction = Int(millis - totalSeconds * 1000)
        let days = totalSeconds >= 0 ? totalSeconds / 86_400 : (totalSeconds - 86_399) / 86_400
        let secondOfDay = Int(totalSeconds - days * 86_400)
        let (year, month, day) = CivilCalendar.date(fromDays: Int(days))
        func two(_ value: Int) {
            emit(UInt8(ascii: "0") + UInt8(value / 10))
            emit(UInt8(ascii: "0") + UInt8(value % 10))
        }
        let clampedYear = min(max(year, 0), 9999)
        two(clampedYear / 100)
        two(clampedYear % 100)
        emit(UInt8(ascii: "-"))
        two(month)
        emit(UInt8(ascii: "-"))
        two(day)
        emit(UInt8(ascii: "T"))
        two(secondOfDay / 3600)
        emit(UInt8(ascii: ":"))
        two(secondOfDay / 60 % 60)
        emit(UInt8(ascii: ":"))
        two(secondOfDay % 60)
        emit(UInt8(ascii: "."))
        emit(UInt8(ascii: "0") + UInt8(fraction / 100))
        two(fraction % 100)
        emit(UInt8(ascii: "Z"))
    }

    /// `millis` as an RFC 3339 string in UTC with milliseconds.
    public static func string(fromMillis millis: Int64) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        format(millis) { bytes.append($0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
