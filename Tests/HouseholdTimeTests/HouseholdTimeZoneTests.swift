import Foundation
import HouseholdTime
import Testing

/// The IANA database as Debian's tzdata installs it (scripts/install-deps.sh installs tzdata).
@Suite struct HouseholdTimeZoneTests {
    func zone(_ name: String) throws -> HouseholdTimeZone {
        HouseholdTimeZone(try HouseholdTimeZone.named(name))
    }

    /// 2026-03-29 and 2026-10-25 are Berlin's switches (last Sundays of March and October).
    @Test func berlinsDaysEndAtLocalMidnightOnBothSidesOfEachSwitch() throws {
        let berlin = try zone("Europe/Berlin")
        let cases: [(String, String)] = [
            ("2026-03-28", "2026-03-28T22:59:59Z"),  // CET, +01:00
            ("2026-03-29", "2026-03-29T21:59:59Z"),  // the switch day ends in CEST, +02:00
            ("2026-10-24", "2026-10-24T21:59:59Z"),
            ("2026-10-25", "2026-10-25T22:59:59Z"),  // back to +01:00
            ("2040-07-01", "2040-07-01T21:59:59Z"),  // after the file's last transition: the footer rule
            ("2040-12-01", "2040-12-01T22:59:59Z"),
        ]
        for (day, utc) in cases {
            let millis = berlin.endOfDay(try #require(CivilDate(parsing: Substring(day))))
            #expect(HouseholdTimeZone.utc.format(millis: millis) == utc, "\(day)")
            #expect(berlin.isEndOfDay(millis))
            #expect(berlin.date(atMillis: millis).description == day)
        }
        #expect(berlin.format(millis: 1_774_746_000_000) == "2026-03-29T03:00:00+02:00")  // 01:00Z, just after the switch
        #expect(berlin.format(millis: 1_774_745_999_000) == "2026-03-29T01:59:59+01:00")
        #expect(berlin.format(millis: 1_792_890_000_000) == "2026-10-25T02:00:00+01:00")  // 01:00Z, the repeated hour's second pass
    }

    @Test func tokyoHasNoSwitchesAndItsTomorrowIsNotUTCs() throws {
        let tokyo = try zone("Asia/Tokyo")
        // 18:31 in Tokyo on 2 December 2026 is 09:31Z; the issue's example.
        let now: Int64 = 1_796_203_860_000
        #expect(tokyo.format(millis: now) == "2026-12-02T18:31:00+09:00")
        #expect(tokyo.date(atMillis: now).description == "2026-12-02")
        let tomorrow = tokyo.endOfDay(CivilDate(daysSinceEpoch: tokyo.date(atMillis: now).daysSinceEpoch + 1))
        #expect(tokyo.format(millis: tomorrow) == "2026-12-03T23:59:59+09:00")
        #expect(HouseholdTimeZone.utc.format(millis: tomorrow) == "2026-12-03T14:59:59Z")
        #expect(tokyo.format(millis: 1_000_000_000_000) == "2001-09-09T10:46:40+09:00")
    }

    @Test func namesThatAreNotZonesAreRefusedWithWhatToDo() throws {
        for bad in ["", "../../etc/passwd", "Europe/../Berlin", "/etc/localtime", "Europe//Berlin", "Mars/Olympus Mons"] {
            #expect(throws: HouseholdTimeZone.ResolveError.self, "\(bad)") { _ = try HouseholdTimeZone.named(bad) }
        }
        do {
            _ = try HouseholdTimeZone.named("Nowhere/Land")
            Issue.record("Nowhere/Land resolved")
        } catch {
            #expect(
                error.description
                    == "unknown time zone \"Nowhere/Land\" (no /usr/share/zoneinfo/Nowhere/Land); use an IANA name such as Europe/Berlin (install tzdata if /usr/share/zoneinfo is missing)"
            )
        }
        // A file that is not TZif (a directory's file that happens to be there) is not a zone.
        #expect(throws: HouseholdTimeZone.ResolveError.self) { _ = try HouseholdTimeZone.named("iso3166.tab") }
    }

    @Test func theOptionComesFirstThenTheSystemsZoneThenTZThenUTC() throws {
        let env = ["EDGE_TIMEZONE": "Asia/Tokyo", "TZ": "Europe/Berlin"]
        #expect(try HouseholdTimeZone.resolve(option: "Europe/Berlin", environment: env).name == "Europe/Berlin")
        #expect(try HouseholdTimeZone.resolve(option: nil, environment: env).name == "Asia/Tokyo")
        let noLocaltime = "/nonexistent/localtime"
        #expect(try HouseholdTimeZone.resolve(option: nil, environment: ["TZ": ":Europe/Berlin"], localtime: noLocaltime).name == "Europe/Berlin")
        let posix = try HouseholdTimeZone.resolve(option: nil, environment: ["TZ": "JST-9"], localtime: noLocaltime)
        #expect(posix.format(millis: 0) == "1970-01-01T09:00:00+09:00")
        #expect(try HouseholdTimeZone.resolve(option: nil, environment: [:], localtime: noLocaltime).name == "UTC")
        #expect(try HouseholdTimeZone.resolve(option: nil, environment: [:], localtime: "/usr/share/zoneinfo/Asia/Tokyo").name == "localtime")
        do {
            _ = try HouseholdTimeZone.resolve(option: nil, environment: ["EDGE_TIMEZONE": "Tokyo"])
            Issue.record("Tokyo resolved")
        } catch {
            #expect("\(error)".hasPrefix("EDGE_TIMEZONE: unknown time zone \"Tokyo\""))
        }
    }

    @Test func truncatedOrGarbageTZifIsRefusedNotGuessed() throws {
        let berlin = try #require(HouseholdTimeZoneTests.bytes("/usr/share/zoneinfo/Europe/Berlin"))
        for length in [0, 4, 44, 100, berlin.count / 2] {
            #expect(ZoneInfo(name: "cut", tzif: Array(berlin.prefix(length))) == nil, "\(length) bytes")
        }
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var bytes = berlin
            for _ in 0..<8 { bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            if let zone = ZoneInfo(name: "noisy", tzif: bytes) {
                // Whatever it reads, it answers without trapping, within a day of UTC.
                for t in stride(from: Int64(-2_000_000_000), to: 4_000_000_000, by: 500_000_000) {
                    #expect(abs(zone.offset(atUTC: t)) < 26 * 3600)
                    _ = zone.utc(fromLocal: t)
                }
            }
        }
    }

    @Test func civilDatesRoundTripAndKnowTheirWeekday() {
        for days in stride(from: Int64(-800_000), through: 800_000, by: 997) {
            #expect(CivilDate(daysSinceEpoch: days).daysSinceEpoch == days)
        }
        #expect(CivilDate(year: 2026, month: 12, day: 2).weekday == 3)  // a Wednesday
        #expect(CivilDate(parsing: "2026-02-29") == nil)
        #expect(CivilDate(parsing: "2028-02-29") != nil)
        #expect(CivilDate(parsing: "2026-13-01") == nil)
    }

    static func bytes(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { [UInt8]($0) }
    }
}
