/// RFC 3339 timestamps as used on the wire and in the CLI: always written in UTC (`Z`),
/// with milliseconds only when they are not zero; read with any offset.
///
/// Written here rather than with Foundation's formatters: it is small, has no locale or
/// calendar state, and is exact for the millisecond integers the stores keep.
public enum RFC3339 {
    /// Formats milliseconds since the Unix epoch, e.g. `2026-11-22T04:25:54Z` or `...54.120Z`.
    public static func format(millis: Int64) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(24)
        append(millis: millis, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `format(millis:)`'s text as UTF-8, without building a string.
    public static func append(millis: Int64, to out: inout [UInt8]) {
        let (days, msOfDay) = floorDivMod(millis, 86_400_000)
        let (year, month, day) = civil(fromDays: days)
        let seconds = msOfDay / 1000, ms = msOfDay % 1000
        func digits(_ value: Int, _ width: Int) {
            guard value >= 0 else { return out.append(contentsOf: pad(value, width).utf8) }
            var divisor = 1, count = 1
            while divisor <= value / 10 { divisor *= 10; count += 1 }
            if count < width { out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: width - count)) }
            while divisor > 0 {
                out.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
                divisor /= 10
            }
        }
        digits(year, 4); out.append(UInt8(ascii: "-")); digits(month, 2); out.append(UInt8(ascii: "-")); digits(day, 2)
        out.append(UInt8(ascii: "T"))
        digits(Int(seconds / 3600), 2); out.append(UInt8(ascii: ":")); digits(Int(seconds / 60 % 60), 2)
        out.append(UInt8(ascii: ":")); digits(Int(seconds % 60), 2)
        if ms != 0 { out.append(UInt8(ascii: ".")); digits(Int(ms), 3) }
        out.append(UInt8(ascii: "Z"))
    }

    /// The instants `format` can write: years 0001 through 9999 in UTC. A time outside them
    /// (year 0000 with a positive offset, say) would format as text no reader accepts.
    public static let representable: ClosedRange<Int64> =
        daysFromCivil(year: 1, month: 1, day: 1) * 86_400_000...(daysFromCivil(year: 10_000, month: 1, day: 1) * 86_400_000 - 1)

    /// Parses a date-time with a `Z` or `±HH:MM` offset (fractional seconds allowed, truncated
    /// to milliseconds). `nil` if the text is not a valid RFC 3339 date-time, names a leap
    /// second (`:60`, which the millisecond integers cannot hold), or falls outside
    /// `representable` once normalised to UTC, so `parse(format(x)) == x` for every result.
    public static func parse(_ text: String) -> Int64? {
        var s = Scanner(Array(text.utf8))
        guard let year = s.digits(4), s.take("-"), let month = s.digits(2), s.take("-"), let day = s.digits(2),
            s.takeAny("Tt "), let hour = s.digits(2), s.take(":"), let minute = s.digits(2), s.take(":"),
            let second = s.digits(2)
        else { return nil }
        var millis: Int64 = 0
        if s.take(".") {
            var scale: Int64 = 100, count = 0
            while let d = s.digit() {
                millis += Int64(d) * scale
                scale /= 10
                count += 1
            }
            guard count > 0 else { return nil }
        }
        var offsetMinutes: Int64 = 0
        if s.takeAny("Zz") {
        } else if let sign = s.peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            s.index += 1
            guard let oh = s.digits(2), s.take(":"), let om = s.digits(2), oh < 24, om < 60 else { return nil }
            offsetMinutes = Int64(oh * 60 + om) * (sign == UInt8(ascii: "-") ? -1 : 1)
        } else {
            return nil
        }
        guard s.atEnd, (1...12).contains(month), day >= 1, day <= daysInMonth(year, month),
            hour < 24, minute < 60, second < 60
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let secs = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - offsetMinutes * 60
        let result = secs * 1000 + millis
        return representable.contains(result) ? result : nil
    }

    /// Parses a calendar date `YYYY-MM-DD` to the milliseconds of its midnight, UTC.
    public static func parseDate(_ text: String) -> Int64? {
        var s = Scanner(Array(text.utf8))
        guard let year = s.digits(4), s.take("-"), let month = s.digits(2), s.take("-"), let day = s.digits(2),
            s.atEnd, (1...12).contains(month), day >= 1, day <= daysInMonth(year, month)
        else { return nil }
        return daysFromCivil(year: year, month: month, day: day) * 86_400_000
    }

    // Howard Hinnant's days-from-civil algorithms (proleptic Gregorian calendar).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func civil(fromDays days: Int64) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (Int(yoe + era * 400 + (month <= 2 ? 1 : 0)), Int(month), Int(day))
    }

    public static func daysInMonth(_ year: Int, _ month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    private static func floorDivMod(_ a: Int64, _ b: Int64) -> (Int64, Int64) {
        let q = a / b, r = a % b
        return r < 0 ? (q - 1, r + b) : (q, r)
    }

    private static func pad<T: BinaryInteger>(_ value: T, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        var atEnd: Bool { index == bytes.count }
        func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }
        mutating func digit() -> Int? {
            guard let b = peek(), b >= UInt8(ascii: "0"), b <= UInt8(ascii: "9") else { return nil }
            index += 1
            return Int(b - UInt8(ascii: "0"))
        }
        mutating func digits(_ n: Int) -> Int? {
            var value = 0
            for _ in 0..<n {
                guard let d = digit() else { return nil }
                value = value * 10 + d
            }
            return value
        }
        mutating func take(_ c: Unicode.Scalar) -> Bool {
            guard peek() == UInt8(ascii: c) else { return false }
            index += 1
            return true
        }
        mutating func takeAny(_ chars: String) -> Bool {
            guard let b = peek(), chars.utf8.contains(b) else { return false }
            index += 1
            return true
        }
    }
}
