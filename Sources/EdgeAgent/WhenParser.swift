import CommandLineSupport
import HouseholdTime
import Sync

/// Reads the due dates people type on the command line, in the household's time zone:
/// - an RFC 3339 date-time (`2026-11-23T18:00:00+09:00`), exact;
/// - a date (`2026-11-23`), `today`, `tomorrow` or a weekday (`tuesday`, `tue`: the next one,
///   today if today is one): the end of that local day, 23:59:59;
/// - `+30m`, `+2h`, `+3d`, `+1w`: that long from now.
enum WhenParser {
    static let weekdays = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]

    static func parse(_ text: String, now: Int64, zone: HouseholdTimeZone) -> Int64? {
        let input = text.trimmingSpaces.lowercased()
        let today = zone.date(atMillis: now)
        switch input {
        case "today": return zone.endOfDay(today)
        case "tomorrow": return zone.endOfDay(CivilDate(daysSinceEpoch: today.daysSinceEpoch + 1))
        default: break
        }
        if let weekday = weekdays.firstIndex(where: { $0 == input || (input.count == 3 && $0.hasPrefix(input)) }) {
            let ahead = (weekday - today.weekday + 7) % 7
            return zone.endOfDay(CivilDate(daysSinceEpoch: today.daysSinceEpoch + Int64(ahead)))
        }
        if input.hasPrefix("+") {
            return DurationText.parseMillis(String(input.dropFirst())).map { now + $0 }
        }
        if let date = CivilDate(parsing: Substring(input)) { return zone.endOfDay(date) }
        return RFC3339.parse(text.trimmingSpaces)
    }

    /// How a due time reads in the task list: the local date for an end-of-day due time, else
    /// the local date and time to the minute.
    static func display(_ millis: Int64, zone: HouseholdTimeZone) -> String {
        let text = zone.format(millis: millis)
        return zone.isEndOfDay(millis) ? String(text.prefix(10)) : String(text.prefix(10)) + " " + String(text.dropFirst(11).prefix(5))
    }
}
