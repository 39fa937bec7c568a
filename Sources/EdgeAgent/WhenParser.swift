import CommandLineSupport
import Sync

/// Reads the due dates people type on the command line:
/// - an RFC 3339 date-time (`2026-11-23T18:00:00+09:00`), exact;
/// - a date (`2026-11-23`), `today` or `tomorrow`: the end of that day, UTC;
/// - `+30m`, `+2h`, `+3d`, `+1w`: that long from now.
enum WhenParser {
    static let endOfDay: Int64 = 86_400_000 - 1000

    static func parse(_ text: String, now: Int64) -> Int64? {
        let input = text.trimmingSpaces.lowercased()
        switch input {
        case "today": return startOfDay(now) + endOfDay
        case "tomorrow": return startOfDay(now) + 86_400_000 + endOfDay
        default: break
        }
        if input.hasPrefix("+") {
            return DurationText.parseMillis(String(input.dropFirst())).map { now + $0 }
        }
        if let date = RFC3339.parseDate(input) { return date + endOfDay }
        return RFC3339.parse(text.trimmingSpaces)
    }

    /// How a due time reads in the task list: just the date for an end-of-day due time.
    static func display(_ millis: Int64) -> String {
        let text = RFC3339.format(millis: millis)
        return millis - startOfDay(millis) == endOfDay ? String(text.prefix(10)) : text
    }

    private static func startOfDay(_ millis: Int64) -> Int64 {
        let day: Int64 = 86_400_000
        return millis >= 0 ? millis / day * day : (millis - day + 1) / day * day
    }
}
