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

    /// The grammar as a JSON Schema (ECMA-262) pattern: exactly the texts ``parse(_:)`` takes,
    /// so the OpenAPI documents say precisely what the API accepts.
    public static let pattern: String = {
        let days = "([1-9]|[1-9][0-9]|[12][0-9][0-9]|3[0-5][0-9]|36[0-6])"
        let weeks = "([1-9]|[1-4][0-9]|5[0-2])"
        let weekday = "(mon|tue|wed|thu|fri|sat|sun)"
        let dayOfMonth = "([1-9]|[12][0-9]|3[01])"
        let date = "((01|03|05|07|08|10|12)-(0[1-9]|[12][0-9]|3[01])|(04|06|09|11)-(0[1-9]|[12][0-9]|30)|02-(0[1-9]|[12][0-9]))"
        let every = "every (" + days + " ?(d|days?)|" + weeks + " ?(w|weeks?))( after done)?"
        return "^(daily|weekly|" + every + "|weekly:" + weekday + "(," + weekday + "){0,6}|monthly:" + dayOfMonth + "|yearly:" + date + ")$"
    }()

    /// Parses a rule as the API takes it: lowercase, single spaces, exactly ``pattern``; or
    /// says why not. People's typing goes through ``parse(typed:)`` first.
    public static func parse(_ input: String) throws(InvalidFieldError) -> RepeatRule {
        func fail(_ why: String) -> InvalidFieldError {
            InvalidFieldError(field: "repeat", message: "repeat \(why); use one of: \(grammar)")
        }
        let shown = "\"" + String(input.unicodeScalars.prefix(40).map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) }) + "\""
        guard !input.isEmpty else { throw fail("must not be empty (null removes a rule)") }
        guard input.utf8.count <= 60 else { throw fail("is too long to be a rule") }
        switch input {
        case "daily": return .every(1, .day)
        case "weekly": return .every(1, .week)
        case "monthly", "yearly":
            throw fail("\(input) needs a day, e.g. \(input == "monthly" ? "monthly:25" : "yearly:12-24")")
        default: break
        }
        /// 1 to `max` in ASCII digits, no sign, no leading zero.
        func number(_ text: Substring, max: Int) -> Int? {
            guard (1...3).contains(text.count), text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), text.first != "0",
                let value = Int(text), value <= max
            else { return nil }
            return value
        }
        if input.hasPrefix("weekly:") {
            var days: Set<Int> = []
            let words = input.dropFirst(7).split(separator: ",", omittingEmptySubsequences: false)
            guard words.count <= 7 else { throw fail("weekly names at most 7 weekdays") }
            for word in words {
                guard let day = weekdayNames.firstIndex(where: { $0[...] == word }) else {
                    throw fail("weekday \"\(word.prefix(20))\" is not one of mon, tue, wed, thu, fri, sat, sun (comma-separated, no spaces)")
                }
                days.insert(day)
            }
            return .weekly(days.sorted())
        }
        if input.hasPrefix("monthly:") {
            guard let day = number(input.dropFirst(8), max: 31) else {
                throw fail("monthly needs a day of the month from 1 to 31, e.g. monthly:25 (31 means the last day)")
            }
            return .monthly(day)
        }
        if input.hasPrefix("yearly:") {
            let date = input.dropFirst(7)
            let parts = date.split(separator: "-", omittingEmptySubsequences: false)
            guard date.utf8.count == 5, parts.count == 2, parts.allSatisfy({ $0.utf8.count == 2 && $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }),
                let month = Int(parts[0]), let day = Int(parts[1]), (1...12).contains(month), (1...31).contains(day)
            else {
                throw fail("yearly needs a month and day as MM-DD, e.g. yearly:12-24")
            }
            guard day <= monthLengths[month - 1] else {
                throw fail("yearly:\(date) never fires: that month has no day \(day)")
            }
            return .yearly(month: month, day: day)
        }
        if input.hasPrefix("every ") {
            var rest = input.dropFirst(6)
            let afterDone = rest.hasSuffix(" after done")
            if afterDone { rest = rest.dropLast(11) }
            let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
            var unitText = rest.dropFirst(digits.count)
            if unitText.hasPrefix(" ") { unitText = unitText.dropFirst() }
            let unit: Unit? =
                switch unitText {
                case "d", "day", "days": .day
                case "w", "week", "weeks": .week
                default: nil
                }
            guard let unit, !digits.isEmpty else {
                throw fail("\(shown) needs a count and a unit, e.g. every 3d or every 2w")
            }
            let limit = unit == .day ? maxDays : maxWeeks
            guard let count = number(digits, max: limit) else {
                throw fail("every \(digits.prefix(6))\(unit.rawValue) is out of range: 1 to \(limit) \(unit == .day ? "days" : "weeks")")
            }
            return afterDone ? .afterDone(count, unit) : .every(count, unit)
        }
        throw fail("\(shown) is not a rule")
    }

    /// Parses a rule as people type it (the CLI's `--repeat`, the page): case, surrounding
    /// and repeated spaces, spaces around `,` `:` `-`, full weekday names and leading zeros
    /// (`monthly:05`, `yearly:2-29`) do not matter.
    public static func parse(typed text: String) throws(InvalidFieldError) -> RepeatRule {
        var words = text.lowercased().split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        for separator in [",", ":", "-"] {
            words = words.replacing(" " + separator, with: separator).replacing(separator + " ", with: separator)
        }
        if words.hasPrefix("weekly:") {
            let names = words.dropFirst(7).split(separator: ",", omittingEmptySubsequences: false).map { name in
                fullWeekdayNames.contains(String(name)) ? String(name.prefix(3)) : String(name)
            }
            words = "weekly:" + names.joined(separator: ",")
        } else if words.hasPrefix("yearly:") {
            // 2-29 for 02-29
            words =
                "yearly:"
                + words.dropFirst(7).split(separator: "-", omittingEmptySubsequences: false)
                .map { $0.count == 1 ? "0" + $0 : String($0) }.joined(separator: "-")
        } else if words.hasPrefix("monthly:0") {
            words = "monthly:" + words.dropFirst(8).drop(while: { $0 == "0" })
        }
        return try parse(words)
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
