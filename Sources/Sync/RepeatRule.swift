#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// When a recurring chore comes round again (docs/agent-api.md, "Recurring chores"). The
/// text form is the one people type (`--repeat`, the API's `repeat`, the page), and the
/// canonical text is what is stored and replicated:
///
/// | typed | canonical | next occurrence |
/// |---|---|---|
/// | `daily`, `every 3d`, `every 3 days` | `every 1d`, `every 3d` | N days after the previous due date |
/// | `weekly`, `every 2w`, `every 2 weeks` | `every 1w`, `every 2w` | N weeks after the previous due date |
/// | `weekly:tue`, `weekly:mon,thu` | `weekly:mon,thu` | the next of those weekdays after the previous due date |
/// | `monthly:25`, `monthly:31` | `monthly:25` | that day of the next month; a day the month lacks means its last day |
/// | `yearly:12-24`, `yearly:02-29` | `yearly:12-24` | that date of the next year; 29 February is the 28th in other years |
/// | `every 3d after done`, `every 1w after done` | `every 3d after done` | N days or weeks after the completion |
///
/// Fixed schedules keep the local time of day of the previous due time and skip occurrences
/// that passed before the completion; the computation is in `HouseholdTime`
/// (`RepeatRule.nextDue`), in the household's time zone.
public enum RepeatRule: Sendable, Equatable, CustomStringConvertible {
    public enum Unit: String, Sendable { case day = "d", week = "w" }

    case every(Int, Unit)
    /// Weekdays 0 (Sunday) to 6 (Saturday), ascending, at least one.
    case weekly([Int])
    /// Day of the month, 1 to 31.
    case monthly(Int)
    case yearly(month: Int, day: Int)
    case afterDone(Int, Unit)

    public static let weekdayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
    static let fullWeekdayNames = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"]
    static let monthLengths = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    /// The longest step: a rule repeating less often than this is more likely a typo.
    public static let maxDays = 366
    public static let maxWeeks = 52

    /// The grammar, for error messages and `--help`.
    public static let grammar = "every Nd | every Nw | daily | weekly | weekly:mon,thu | monthly:25 | yearly:12-24 | every Nd after done"

    /// Parses `text` (case and surrounding spaces do not matter), or says why not.
    public static func parse(_ text: String) throws(InvalidFieldError) -> RepeatRule {
        func fail(_ why: String) -> InvalidFieldError {
            InvalidFieldError(field: "repeat", message: "repeat \(why); use one of: \(grammar)")
        }
        let lowered = text.lowercased()
        guard lowered.unicodeScalars.count <= 60,
              lowered.unicodeScalars.allSatisfy({ $0.isASCII && ($0.value >= 0x20 || $0 == "\t") && $0.value != 0x7F }) else {
            throw fail("is not a rule")
        }
        let input = lowered.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        guard !input.isEmpty else { throw fail("must not be empty (null removes a rule)") }
        switch input {
        case "daily": return .every(1, .day)
        case "weekly": return .every(1, .week)
        case "monthly", "yearly":
            throw fail("\(input) needs a day, e.g. \(input == "monthly" ? "monthly:25" : "yearly:12-24")")
        default: break
        }
        if input.hasPrefix("weekly:") {
            var days: Set<Int> = []
            for name in input.dropFirst(7).split(separator: ",", omittingEmptySubsequences: false) {
                let word = name.trimmingCharacters(in: " ")
                guard let day = weekdayNames.firstIndex(of: word) ?? fullWeekdayNames.firstIndex(of: word) else {
                    throw fail("weekday \"\(word.prefix(20))\" is not one of mon, tue, wed, thu, fri, sat, sun")
                }
                days.insert(day)
            }
            return .weekly(days.sorted())
        }
        if input.hasPrefix("monthly:") {
            guard let day = Int(input.dropFirst(8).trimmingCharacters(in: " ")), (1...31).contains(day) else {
                throw fail("monthly needs a day of the month from 1 to 31, e.g. monthly:25 (31 means the last day)")
            }
            return .monthly(day)
        }
        if input.hasPrefix("yearly:") {
            let parts = input.dropFirst(7).trimmingCharacters(in: " ").split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2, let month = Int(parts[0]), let day = Int(parts[1]), (1...12).contains(month), day >= 1 else {
                throw fail("yearly needs a month and day as MM-DD, e.g. yearly:12-24")
            }
            guard day <= monthLengths[month - 1] else {
                throw fail("yearly:\(parts[0])-\(parts[1]) never fires: that month has no day \(day)")
            }
            return .yearly(month: month, day: day)
        }
        if input.hasPrefix("every ") {
            var words = input.dropFirst(6).split(separator: " ").map(String.init)
            var afterDone = false
            if words.count >= 2, words.suffix(2) == ["after", "done"] {
                afterDone = true
                words.removeLast(2)
            }
            // "3d", "3 d", "3 days", "2w", "2 weeks"
            let joined = words.joined()
            let digits = joined.prefix(while: \.isNumber)
            let unitText = joined.dropFirst(digits.count)
            let unit: Unit? = switch unitText {
            case "d", "day", "days": .day
            case "w", "wk", "week", "weeks": .week
            default: nil
            }
            guard let count = Int(digits), let unit else {
                throw fail("\"\(text.prefix(40))\" needs a count and a unit, e.g. every 3d or every 2w")
            }
            let limit = unit == .day ? maxDays : maxWeeks
            guard (1...limit).contains(count) else {
                throw fail("every \(count)\(unit.rawValue) is out of range: 1 to \(limit) \(unit == .day ? "days" : "weeks")")
            }
            return afterDone ? .afterDone(count, unit) : .every(count, unit)
        }
        throw fail("\"\(text.prefix(40))\" is not a rule")
    }

    public var description: String {
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        switch self {
        case .every(let n, let unit): return "every \(n)\(unit.rawValue)"
        case .weekly(let days): return "weekly:" + days.sorted { ($0 + 6) % 7 < ($1 + 6) % 7 }.map { Self.weekdayNames[$0] }.joined(separator: ",")
        case .monthly(let day): return "monthly:\(day)"
        case .yearly(let month, let day): return "yearly:\(two(month))-\(two(day))"
        case .afterDone(let n, let unit): return "every \(n)\(unit.rawValue) after done"
        }
    }
}

private extension Substring {
    func trimmingCharacters(in set: Character) -> String {
        String(drop(while: { $0 == set }).reversed().drop(while: { $0 == set }).reversed())
    }
}
