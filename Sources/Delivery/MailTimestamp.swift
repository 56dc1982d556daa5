import Glibc

/// A moment read from an RFC 3339 timestamp, written the ways a message needs it: the RFC 5322 `Date`
/// header and a short line for people (`2024-01-20 17:00 UTC`).
///
/// Written by hand, in UTC and in English whatever the process's locale, so that a message is the same on
/// every machine and for every attempt.
struct MailTimestamp: Sendable, Equatable {
    /// Seconds since 1970-01-01T00:00:00Z, fractions dropped.
    var secondsSinceEpoch: Int64

    init(secondsSinceEpoch: Int64) {
        self.secondsSinceEpoch = secondsSinceEpoch
    }

    /// Reads `2024-01-15T10:00:00Z`, `2024-01-15T10:00:00.250Z` or `2024-01-15T12:00:00+02:00` (a space or a
    /// lower-case `t`/`z` also pass); nil for anything else.
    init?(rfc3339 text: String) {
        let bytes = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int64? {
            guard index + digits <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[index..<index + digits] {
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int64(byte - 0x30)
            }
            index += digits
            return value
        }
        func expect(_ allowed: String) -> Bool {
            guard index < bytes.count, allowed.utf8.contains(bytes[index]) else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect("-"), let month = number(2), expect("-"), let day = number(2),
            expect("Tt "), let hour = number(2), expect(":"), let minute = number(2), expect(":"),
            let second = number(2)
        else { return nil }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            let start = index
            while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
            guard index > start else { return nil }
        }
        var offset: Int64 = 0
        if expect("Zz") {
            offset = 0
        } else if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign: Int64 = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let offsetHours = number(2), expect(":"), let offsetMinutes = number(2), offsetHours < 24,
                offsetMinutes < 60
            else { return nil }
            offset = sign * (offsetHours * 3600 + offsetMinutes * 60)
        } else {
            return nil
        }
        guard index == bytes.count, (1...12).contains(month), day >= 1,
            day <= Self.daysInMonth(year: year, month: month), hour < 24, minute < 60, second <= 60
        else { return nil }
        let days = Self.daysSinceEpoch(year: year, month: month, day: day)
        secondsSinceEpoch = days * 86_400 + hour * 3600 + minute * 60 + min(second, 59) - offset
    }

    /// The RFC 5322 `date-time` in UTC: `Mon, 15 Jan 2024 10:00:00 +0000`.
    var rfc5322: String {
        let parts = civil
        let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let weekday = weekdays[Int(((parts.days % 7) + 7) % 7)]
        return "\(weekday), \(pad(parts.day)) \(months[Int(parts.month) - 1]) \(parts.year) "
            + "\(pad(parts.hour)):\(pad(parts.minute)):\(pad(parts.second)) +0000"
    }

    /// A short UTC form for people: `2024-01-20 17:00 UTC` (seconds shown only when they are not zero).
    var readable: String {
        let parts = civil
        let seconds = parts.second == 0 ? "" : ":\(pad(parts.second))"
        return
            "\(parts.year)-\(pad(parts.month))-\(pad(parts.day)) \(pad(parts.hour)):\(pad(parts.minute))\(seconds) UTC"
    }

    private var civil: (days: Int64, year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64) {
        let days = floorDivide(secondsSinceEpoch, 86_400)
        let secondOfDay = secondsSinceEpoch - days * 86_400
        let date = Self.civilDate(daysSinceEpoch: days)
        return (days, date.year, date.month, date.day, secondOfDay / 3600, secondOfDay % 3600 / 60, secondOfDay % 60)
    }

    private func pad(_ value: Int64) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }

    private func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        value >= 0 ? value / divisor : -((-value + divisor - 1) / divisor)
    }

    private static func isLeap(_ year: Int64) -> Bool {
        year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    }

    private static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    // Days from civil and back, after Howard Hinnant's public-domain algorithms (proleptic Gregorian).
    private static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    private static func civilDate(daysSinceEpoch days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension MailTimestamp {
    /// The current time, for a notification whose commit time cannot be read.
    static var now: MailTimestamp {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return MailTimestamp(secondsSinceEpoch: Int64(time.tv_sec))
    }
}
