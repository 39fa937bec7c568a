import Foundation
import HouseholdTime
import Sync
import TestSupport
import Testing

/// The repeat grammar and the next due date of a recurring chore, in real IANA zones.
@Suite struct RepeatRuleTests {
    func zone(_ name: String) throws -> HouseholdTimeZone {
        HouseholdTimeZone(try HouseholdTimeZone.named(name))
    }

    func at(_ text: String) throws -> Int64 { try #require(RFC3339.parse(text)) }

    @Test(arguments: [
        ("daily", "every 1d"), ("Every 3 Days", "every 3d"), ("every 3d", "every 3d"), ("every  2 weeks", "every 2w"),
        ("weekly", "every 1w"), ("weekly:tue", "weekly:tue"), ("weekly:SUN,mon,thursday,mon", "weekly:mon,thu,sun"),
        ("monthly:25", "monthly:25"), ("monthly:31", "monthly:31"), ("yearly:12-24", "yearly:12-24"), ("yearly:2-29", "yearly:02-29"),
        ("every 3d after done", "every 3d after done"), ("  every 1 week after done ", "every 1w after done"),
    ])
    func rulesReadAsTypedAndAreStoredCanonically(typed: String, canonical: String) throws {
        let rule = try RepeatRule.parse(typed: typed)
        #expect(rule.description == canonical)
        #expect(try RepeatRule.parse(canonical) == rule, "the canonical text reads back as the same rule")
    }

    @Test(arguments: [
        "", "   ", "sometimes", "every", "every d", "every 0d", "every 367d", "every 53w", "every 3x", "every -1d",
        "weekly:", "weekly:funday", "weekly:mon,", "monthly", "monthly:0", "monthly:32", "monthly:x", "yearly:02-30",
        "yearly:04-31", "yearly:13-01", "yearly:12", "every 3d after", "after done", "every 3d\u{0}", "every ３d",
        String(repeating: "every 3d ", count: 10),
    ])
    func badRulesAreRefusedNamingTheFieldAndTheGrammar(text: String) {
        #expect {
            _ = try RepeatRule.parse(typed: text)
        } throws: { error in
            guard let error = error as? InvalidFieldError else { return false }
            return error.field == "repeat" && error.message.hasPrefix("repeat ") && error.message.contains("weekly:mon,thu")
        }
    }

    /// The API takes exactly what its OpenAPI pattern describes, no more and no less: every
    /// string here is matched by the pattern (as an ECMA regex would) iff the strict parser
    /// takes it. Typed variants ("Weekly:TUE", "every 3 Days") are the CLI's and the page's to
    /// normalise.
    @Test func theAPIPatternAndTheStrictParserAgree() throws {
        let regex = try NSRegularExpression(pattern: RepeatRule.pattern)
        func matches(_ s: String) -> Bool {
            !s.contains("\n") && regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
        }
        var corpus = [
            "daily", "weekly", "Daily", "weekly:TUE", "weekly:tue", "weekly:tue,sun,mon", "weekly:tuesday", "weekly:tue, sun",
            "monthly:01", "monthly:+5", "yearly:2-29", "yearly:02-29", "yearly:02-30", "yearly:+2-29", "every 3 Days",
            "every  3d", " every 3d", "every 3d ", "every 03d", "every 3d after  done", "every ３d", "every 3d\n",
            "weekly:mon,tue,wed,thu,fri,sat,sun", "weekly:mon,tue,wed,thu,fri,sat,sun,mon", "weekly:sun,sun,sun,sun,sun,sun,sun",
        ]
        let words = [
            "every", "weekly:", "monthly:", "yearly:", "daily", "weekly", " ", "1", "0", "3", "9", "29", "30", "31", "36", "366",
            "367", "52", "53", "d", "w", "day", "days", "week", "weeks", "after done", " after done", "mon", "sun", ",",
            "-", "02", "12", "13", "04",
        ]
        var random = SeededRandom(seed: 0x5EED_0042)  // the same corpus every run: the bound below cannot drift with luck
        for _ in 0..<20_000 {
            corpus.append((0..<Int.random(in: 1...5, using: &random)).map { _ in words.randomElement(using: &random)! }.joined())
        }
        for n in [0, 1, 9, 10, 99, 100, 299, 300, 359, 360, 366, 367, 999] {
            corpus += ["every \(n)d", "every \(n) days", "every \(n)w", "every \(n) week after done", "monthly:\(n)"]
        }
        for month in 0...13 { for day in 0...32 { corpus.append("yearly:\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)") } }
        var accepted = 0
        for text in corpus {
            let parsed = (try? RepeatRule.parse(text)) != nil
            #expect(parsed == matches(text), "\"\(text)\": parser \(parsed), pattern \(matches(text))")
            if parsed { accepted += 1 }
        }
        #expect(accepted > 500, "the corpus exercises both sides: \(accepted) of \(corpus.count) accepted")
        #expect(corpus.count - accepted > 500, "the corpus exercises both sides: \(accepted) of \(corpus.count) accepted")
    }

    @Test func aRuleThatNeverFiresSaysSo() {
        #expect(throws: InvalidFieldError.self) { _ = try RepeatRule.parse("yearly:02-30") }
        do {
            _ = try RepeatRule.parse("yearly:02-30")
        } catch {
            #expect(error.message.contains("never fires"))
        }
        #expect((try? RepeatRule.parse("yearly:02-29")) != nil, "29 February fires in leap years")
    }

    /// Berlin switches to summer time on 2026-03-29 and back on 2026-10-25: a chore due at
    /// 08:00 local keeps 08:00 local, so its UTC time moves by an hour across each switch.
    @Test func berlinKeepsTheLocalTimeOfDayAcrossBothSwitches() throws {
        let berlin = try zone("Europe/Berlin")
        let weekly = try RepeatRule.parse("every 1w")
        let beforeSpring = try at("2026-03-24T07:00:00Z")  // Tue 08:00 CET
        let afterSpring = weekly.nextDue(previousDue: beforeSpring, completedAt: beforeSpring, zone: berlin)
        #expect(berlin.format(millis: afterSpring) == "2026-03-31T08:00:00+02:00")
        let beforeAutumn = try at("2026-10-20T06:00:00Z")  // Tue 08:00 CEST
        let afterAutumn = weekly.nextDue(previousDue: beforeAutumn, completedAt: beforeAutumn, zone: berlin)
        #expect(berlin.format(millis: afterAutumn) == "2026-10-27T08:00:00+01:00")
        // Daily across the switch days themselves, and a time the spring switch skips (02:30).
        let daily = try RepeatRule.parse("daily")
        let skipped = daily.nextDue(previousDue: try at("2026-03-28T01:30:00Z"), completedAt: try at("2026-03-28T02:00:00Z"), zone: berlin)
        #expect(berlin.format(millis: skipped) == "2026-03-29T03:30:00+02:00", "02:30 does not exist that day: just after the switch")
        let repeated = daily.nextDue(previousDue: try at("2026-10-24T00:30:00Z"), completedAt: try at("2026-10-24T01:00:00Z"), zone: berlin)
        #expect(berlin.format(millis: repeated) == "2026-10-25T02:30:00+02:00", "02:30 happens twice that day: the first")
        // A date without a time (end of day) stays the end of the local day.
        let endOfDay = berlin.endOfDay(try #require(CivilDate(parsing: "2026-03-28")))
        let next = daily.nextDue(previousDue: endOfDay, completedAt: endOfDay - 3_600_000, zone: berlin)
        #expect(berlin.isEndOfDay(next) && berlin.date(atMillis: next).description == "2026-03-29")
    }

    @Test func tokyoCountsItsOwnDaysNotUTCs() throws {
        let tokyo = try zone("Asia/Tokyo")
        // Completed at 18:31 in Tokyo (09:31Z) on Wednesday 2 December 2026.
        let completed = try at("2026-12-02T09:31:00Z")
        let afterDone = try RepeatRule.parse("every 3d after done")
        #expect(tokyo.format(millis: afterDone.nextDue(previousDue: nil, completedAt: completed, zone: tokyo)) == "2026-12-05T23:59:59+09:00")
        let tuesdays = try RepeatRule.parse("weekly:tue")
        let due = try at("2026-12-01T14:59:59Z")  // Tuesday 1 December, end of day in Tokyo
        #expect(tokyo.format(millis: tuesdays.nextDue(previousDue: due, completedAt: completed, zone: tokyo)) == "2026-12-08T23:59:59+09:00")
        // Late in the UTC day it is already Thursday in Tokyo: the first Tuesday is Tokyo's.
        #expect(
            tokyo.format(millis: try #require(tuesdays.firstDue(now: try at("2026-12-02T20:00:00Z"), zone: tokyo)))
                == "2026-12-08T23:59:59+09:00")
    }

    @Test func monthEndsAndLeapDays() throws {
        let utc = HouseholdTimeZone.utc
        let last = try RepeatRule.parse("monthly:31")
        var due = try at("2027-01-31T18:00:00Z")
        var seen: [String] = []
        for _ in 0..<4 {
            due = last.nextDue(previousDue: due, completedAt: due, zone: utc)
            seen.append(String(utc.format(millis: due).prefix(10)))
        }
        #expect(seen == ["2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31"], "the 31st is the last day, and comes back")
        let thirtieth = try RepeatRule.parse("monthly:30")
        #expect(
            utc.format(millis: thirtieth.nextDue(previousDue: try at("2028-01-30T08:00:00Z"), completedAt: try at("2028-01-30T09:00:00Z"), zone: utc))
                == "2028-02-29T08:00:00Z")
        let leap = try RepeatRule.parse("yearly:02-29")
        #expect(
            utc.format(millis: leap.nextDue(previousDue: try at("2028-02-29T08:00:00Z"), completedAt: try at("2028-02-29T09:00:00Z"), zone: utc))
                == "2029-02-28T08:00:00Z")
    }

    @Test func fixedSchedulesSkipWhatWentByAndCountFromTheDueTime() throws {
        let utc = HouseholdTimeZone.utc
        let tuesdays = try RepeatRule.parse("weekly:tue")
        let due = try at("2026-11-03T19:00:00Z")  // a Tuesday
        // Done early (Monday): next week's Tuesday, counted from the due date, not the completion.
        #expect(
            utc.format(millis: tuesdays.nextDue(previousDue: due, completedAt: try at("2026-11-02T10:00:00Z"), zone: utc))
                == "2026-11-10T19:00:00Z")
        // Done three weeks late (a Thursday): the coming Tuesday, not one in the past.
        #expect(
            utc.format(millis: tuesdays.nextDue(previousDue: due, completedAt: try at("2026-11-26T10:00:00Z"), zone: utc))
                == "2026-12-01T19:00:00Z")
        let everyThree = try RepeatRule.parse("every 3d")
        #expect(
            utc.format(millis: everyThree.nextDue(previousDue: due, completedAt: try at("2026-11-04T10:00:00Z"), zone: utc))
                == "2026-11-06T19:00:00Z")
        // After done counts from the completion, at the due time's time of day.
        let afterDone = try RepeatRule.parse("every 1w after done")
        #expect(
            utc.format(millis: afterDone.nextDue(previousDue: due, completedAt: try at("2026-11-20T10:00:00Z"), zone: utc))
                == "2026-11-27T19:00:00Z")
        // A daily chore left for ten years still gets the next day, promptly.
        let daily = try RepeatRule.parse("daily")
        #expect(
            utc.format(millis: daily.nextDue(previousDue: try at("2016-01-01T08:00:00Z"), completedAt: try at("2026-11-20T10:00:00Z"), zone: utc))
                == "2026-11-21T08:00:00Z")
    }

    @Test func theNextOccurrenceIDIsTheSameEverywhereAndNeverARandomOne() {
        let id = UUID()
        let next = RecurringChore.nextID(after: id)
        #expect(next == RecurringChore.nextID(after: id))
        #expect(next != id && RecurringChore.nextID(after: next) != next)
        #expect(next.uuidString.lowercased().dropFirst(14).first == "8", "version 8: never equal to a random (version 4) ID")
        var seen = Set<UUID>()
        for _ in 0..<10_000 { seen.insert(RecurringChore.nextID(after: UUID())) }
        #expect(seen.count == 10_000)
    }
}
