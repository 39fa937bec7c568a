import Sync

/// A POSIX `TZ` rule such as `CET-1CEST,M3.5.0,M10.5.0/3` or `JST-9`: the footer of a TZif
/// file (what holds after its last transition) and what `TZ` may hold instead of a name.
/// Only the `Mm.w.d` form of the switch dates is read (every zone in tzdata uses it); a rule
/// with `Jn` or `n` dates is refused, never guessed.
struct PosixTimeZoneRule: Sendable, Equatable {
    struct Switch: Sendable, Equatable {
        var month: Int, week: Int, weekday: Int
        var seconds: Int64  // local time of day, may be negative or past 24 h (TZif v3)

        /// The local instant (seconds since the epoch, as if local time were UTC) in `year`.
        func localSeconds(in year: Int) -> Int64 {
            let first = CivilDate(year: year, month: month, day: 1).daysSinceEpoch
            var day = first + Int64((weekday - CivilDate.weekday(ofDay: first) + 7) % 7) + Int64(7 * (week - 1))
            let length = Int64(RFC3339.daysInMonth(year, month))
            while day >= first + length { day -= 7 }
            return day * 86_400 + seconds
        }
    }

    var standardOffset: Int32  // seconds east of UTC
    var standardName: String
    var daylight: (offset: Int32, name: String, start: Switch, end: Switch)?

    static func == (a: Self, b: Self) -> Bool {
        a.standardOffset == b.standardOffset && a.standardName == b.standardName
            && a.daylight?.offset == b.daylight?.offset && a.daylight?.start == b.daylight?.start && a.daylight?.end == b.daylight?.end
    }

    init?(_ text: Substring) {
        var rest = text
        guard let std = Self.name(&rest), let stdOffset = Self.offset(&rest) else { return nil }
        standardName = std
        standardOffset = -stdOffset  // POSIX counts west of UTC
        if rest.isEmpty { daylight = nil; return }
        guard let dst = Self.name(&rest) else { return nil }
        var dstOffset = standardOffset + 3600
        if let first = rest.first, first != "," {
            guard let value = Self.offset(&rest) else { return nil }
            dstOffset = -value
        }
        guard rest.first == "," else { return nil }
        rest = rest.dropFirst()
        guard let start = Self.switchRule(&rest), rest.first == "," else { return nil }
        rest = rest.dropFirst()
        guard let end = Self.switchRule(&rest), rest.isEmpty else { return nil }
        daylight = (dstOffset, dst, start, end)
    }

    /// Seconds east of UTC at the UTC instant `t`, and whether daylight saving is in force.
    func offset(atUTC t: Int64) -> (offset: Int32, isDST: Bool) {
        guard let daylight else { return (standardOffset, false) }
        let year = CivilDate(daysSinceEpoch: floorDiv(t + Int64(standardOffset), 86_400)).year
        // The switches of this year, the one before and the one after, in UTC: the last one
        // at or before t decides.
        var latest: (at: Int64, dst: Bool)?
        for y in (year - 1)...(year + 1) {
            let on = daylight.start.localSeconds(in: y) - Int64(standardOffset)
            let off = daylight.end.localSeconds(in: y) - Int64(daylight.offset)
            for (at, dst) in [(on, true), (off, false)] where at <= t && (latest == nil || at > latest!.at) {
                latest = (at, dst)
            }
        }
        return latest?.dst == true ? (daylight.offset, true) : (standardOffset, false)
    }

    private static func name(_ rest: inout Substring) -> String? {
        if rest.first == "<" {
            guard let close = rest.firstIndex(of: ">") else { return nil }
            let name = rest[rest.index(after: rest.startIndex)..<close]
            rest = rest[rest.index(after: close)...]
            return name.count >= 3 ? String(name) : nil
        }
        let name = rest.prefix(while: { $0.isASCII && $0.isLetter })
        guard name.count >= 3 else { return nil }
        rest = rest.dropFirst(name.count)
        return String(name)
    }

    /// `[+-]hh[:mm[:ss]]` in seconds, as written (POSIX: positive is west of UTC).
    private static func offset(_ rest: inout Substring) -> Int32? {
        var sign: Int64 = 1
        if rest.first == "+" || rest.first == "-" {
            if rest.first == "-" { sign = -1 }
            rest = rest.dropFirst()
        }
        guard let seconds = clock(&rest), seconds <= 25 * 3600 else { return nil }
        return Int32(sign * seconds)
    }

    private static func clock(_ rest: inout Substring) -> Int64? {
        var total: Int64 = 0
        for (i, scale) in [Int64(3600), 60, 1].enumerated() {
            if i > 0 { guard rest.first == ":" else { break }; rest = rest.dropFirst() }
            let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
            guard !digits.isEmpty, digits.count <= 3, let v = Int64(digits) else { return nil }
            total += v * scale
            rest = rest.dropFirst(digits.count)
        }
        return total
    }

    private static func switchRule(_ rest: inout Substring) -> Switch? {
        guard rest.first == "M" else { return nil }
        rest = rest.dropFirst()
        var numbers: [Int] = []
        for i in 0..<3 {
            if i > 0 { guard rest.first == "." else { return nil }; rest = rest.dropFirst() }
            let digits = rest.prefix(while: { $0.isASCII && $0.isNumber })
            guard !digits.isEmpty, digits.count <= 2, let v = Int(digits) else { return nil }
            numbers.append(v)
            rest = rest.dropFirst(digits.count)
        }
        guard (1...12).contains(numbers[0]), (1...5).contains(numbers[1]), (0...6).contains(numbers[2]) else { return nil }
        var seconds: Int64 = 7200
        if rest.first == "/" {
            rest = rest.dropFirst()
            var sign: Int64 = 1
            if rest.first == "-" || rest.first == "+" { if rest.first == "-" { sign = -1 }; rest = rest.dropFirst() }
            guard let value = clock(&rest), value <= 167 * 3600 else { return nil }
            seconds = sign * value
        }
        return Switch(month: numbers[0], week: numbers[1], weekday: numbers[2], seconds: seconds)
    }
}

func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    a >= 0 ? a / b : -((-a + b - 1) / b)
}
