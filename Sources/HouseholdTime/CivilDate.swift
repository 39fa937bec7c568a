import Sync

/// A calendar date in the proleptic Gregorian calendar, on top of the day arithmetic
/// `RFC3339` already has (Howard Hinnant's `days_from_civil`).
public struct CivilDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int  // 1...12
    public var day: Int  // 1...31

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Days since 1970-01-01.
    public var daysSinceEpoch: Int64 { RFC3339.daysFromCivil(year: year, month: month, day: day) }

    public init(daysSinceEpoch days: Int64) {
        let (y, m, d) = RFC3339.civil(fromDays: days)
        self.init(year: y, month: m, day: d)
    }

    /// 0 = Sunday ... 6 = Saturday.
    public var weekday: Int { Self.weekday(ofDay: daysSinceEpoch) }

    static func weekday(ofDay days: Int64) -> Int {
        Int(((days % 7) + 7 + 4) % 7)  // 1970-01-01 was a Thursday
    }

    /// `YYYY-MM-DD`, or nil when the text is not a real date.
    public init?(parsing text: Substring) {
        guard let midnight = RFC3339.parseDate(String(text)) else { return nil }
        self.init(daysSinceEpoch: midnight / 86_400_000)
    }

    public var description: String {
        String(RFC3339.format(millis: daysSinceEpoch * 86_400_000).prefix(10))
    }

    public static func < (a: CivilDate, b: CivilDate) -> Bool { a.daysSinceEpoch < b.daysSinceEpoch }
}
