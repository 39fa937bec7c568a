import Sync

extension HouseholdTimeZone {
    /// The local date and the milliseconds since its local midnight at the instant `millis`.
    public func localTime(atMillis millis: Int64) -> (date: CivilDate, millisOfDay: Int64) {
        let local = millis + Int64(zone.offset(atUTC: floorDiv(millis, 1000))) * 1000
        let days = floorDiv(local, 86_400_000)
        return (CivilDate(daysSinceEpoch: days), local - days * 86_400_000)
    }

    /// The UTC instant of a local date and time of day (see `ZoneInfo.utc(fromLocal:)` for the
    /// hour a daylight-saving switch skips or repeats).
    public func instant(_ date: CivilDate, millisOfDay: Int64) -> Int64 {
        zone.utc(fromLocal: date.daysSinceEpoch * 86_400 + millisOfDay / 1000) * 1000 + millisOfDay % 1000
    }
}

extension RepeatRule {
    /// When the occurrence after one due at `previousDue` and completed at `completedAt` is
    /// due, in the household's zone:
    /// - `every N after done`: N days or weeks after the completion's local date;
    /// - the fixed schedules: the next matching local date after the previous due date, and
    ///   past the completion (occurrences that went by while the chore waited are skipped);
    /// - at the previous due time's local time of day, or at the end of the day (23:59:59,
    ///   a date without a time) when the task had no due time, in which case the schedule
    ///   counts from the completion's local date.
    /// A daylight-saving switch keeps the local time, not the distance in hours.
    public func nextDue(previousDue: Int64?, completedAt: Int64, zone: HouseholdTimeZone) -> Int64 {
        let completion = zone.localTime(atMillis: completedAt)
        let previous = previousDue.map { zone.localTime(atMillis: $0) }
        let timeOfDay = previous?.millisOfDay ?? 86_399_000
        switch self {
        case .afterDone(let n, let unit):
            let date = CivilDate(daysSinceEpoch: completion.date.daysSinceEpoch + Int64(n * (unit == .week ? 7 : 1)))
            return zone.instant(date, millisOfDay: timeOfDay)
        default:
            var date = previous?.date ?? completion.date
            // At most a few thousand steps: a daily chore left undone for years.
            for _ in 0..<200_000 {
                date = following(date)
                let due = zone.instant(date, millisOfDay: timeOfDay)
                if due > completedAt { return due }
            }
            return zone.instant(following(completion.date), millisOfDay: timeOfDay)
        }
    }

    /// The first due time of a new chore on a calendar schedule (weekly on given days, monthly,
    /// yearly) created without one: the end of the first matching local day from today on.
    /// Nil for the `every` rules, which count from whatever due time the task has.
    public func firstDue(now: Int64, zone: HouseholdTimeZone) -> Int64? {
        switch self {
        case .every, .afterDone: return nil
        case .weekly, .monthly, .yearly:
            let yesterday = CivilDate(daysSinceEpoch: zone.date(atMillis: now).daysSinceEpoch - 1)
            return nextDue(previousDue: zone.endOfDay(yesterday), completedAt: now, zone: zone)
        }
    }

    /// Adds the first due time to a creation `patch` that has a calendar rule and no due time.
    public static func withFirstDue(_ patch: TaskPatch, now: Int64, zone: HouseholdTimeZone) -> TaskPatch {
        guard patch.dueAt?.optional == nil, let text = patch.repeatRule?.optional, let rule = try? parse(text),
            let first = rule.firstDue(now: now, zone: zone)
        else { return patch }
        var patch = patch
        patch.dueAt = .value(first)
        return patch
    }

    /// The first date after `date` that this (fixed) schedule falls on.
    func following(_ date: CivilDate) -> CivilDate {
        switch self {
        case .every(let n, let unit), .afterDone(let n, let unit):
            return CivilDate(daysSinceEpoch: date.daysSinceEpoch + Int64(n * (unit == .week ? 7 : 1)))
        case .weekly(let weekdays):
            for ahead in 1...7 {
                let candidate = CivilDate(daysSinceEpoch: date.daysSinceEpoch + Int64(ahead))
                if weekdays.contains(candidate.weekday) { return candidate }
            }
            return CivilDate(daysSinceEpoch: date.daysSinceEpoch + 7)
        case .monthly(let day):
            var (year, month) = (date.year, date.month)
            while true {
                let candidate = CivilDate(year: year, month: month, day: min(day, Self.length(of: month, in: year)))
                if candidate > date { return candidate }
                (year, month) = month == 12 ? (year + 1, 1) : (year, month + 1)
            }
        case .yearly(let month, let day):
            var year = date.year
            while true {
                let candidate = CivilDate(year: year, month: month, day: min(day, Self.length(of: month, in: year)))
                if candidate > date { return candidate }
                year += 1
            }
        }
    }

    static func length(of month: Int, in year: Int) -> Int {
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        return month == 2 ? (leap ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }
}
