import Foundation
import TestSupport
import Testing

/// `--timezone` / `EDGE_TIMEZONE`: due dates typed as days end at 23:59:59 in the household's
/// zone, across daylight-saving switches, and the CLI prints local times (whole seconds).
@Suite struct TimeZoneCommandTests {
    let dir = TemporaryDirectory()
    var env: [String: String] { ["EDGE_DATA_DIR": dir.path, "EDGE_NODE_NAME": "rpi-worker-1"] }

    func addDue(_ due: String, zone: String, at fakeTime: String? = nil) throws -> String? {
        let arguments = ["tasks", "add", "Pay rent", "--due", due, "--json", "--timezone", zone]
        let result =
            try fakeTime.map {
                // faketime reads its time in TZ; the agent's zone is the option's.
                try execute([$0, Binaries.agent] + arguments, env: env.merging(["TZ": "UTC"]) { $1 }, binary: "/usr/bin/faketime")
            } ?? execute(arguments, env: env)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        return json?["due_at"] as? String
    }

    @Test func aDayEndsAtLocalMidnightOnBothSidesOfBerlinsSwitches() throws {
        #expect(try addDue("2026-03-28", zone: "Europe/Berlin") == "2026-03-28T22:59:59Z")
        #expect(try addDue("2026-03-29", zone: "Europe/Berlin") == "2026-03-29T21:59:59Z")
        #expect(try addDue("2026-10-25", zone: "Europe/Berlin") == "2026-10-25T22:59:59Z")
        #expect(try addDue("2026-12-03", zone: "Asia/Tokyo") == "2026-12-03T14:59:59Z")
        #expect(try addDue("2026-12-03T18:00:00+01:00", zone: "Asia/Tokyo") == "2026-12-03T17:00:00Z")  // exact times stay exact
    }

    /// faketime is a test dependency (scripts/install-deps.sh test).
    @Test func tomorrowAndWeekdaysAreTheHouseholdsNotUTCs() throws {
        // 18:31 in Tokyo on Wednesday 2 December 2026 (09:31Z): tomorrow is Tokyo's 3 December.
        #expect(try addDue("tomorrow", zone: "Asia/Tokyo", at: "2026-12-02 09:31:00") == "2026-12-03T14:59:59Z")
        #expect(try addDue("today", zone: "Asia/Tokyo", at: "2026-12-02 09:31:00") == "2026-12-02T14:59:59Z")
        #expect(try addDue("fri", zone: "Asia/Tokyo", at: "2026-12-02 09:31:00") == "2026-12-04T14:59:59Z")
        #expect(try addDue("wednesday", zone: "Asia/Tokyo", at: "2026-12-02 09:31:00") == "2026-12-02T14:59:59Z")
        // 23:30Z on 28 March is already Sunday 29 March in Berlin, the day the clocks go forward.
        #expect(try addDue("today", zone: "Europe/Berlin", at: "2026-03-28 23:30:00") == "2026-03-29T21:59:59Z")
        #expect(try addDue("tomorrow", zone: "Europe/Berlin", at: "2026-10-24 12:00:00") == "2026-10-25T22:59:59Z")
    }

    @Test func listAndShowPrintLocalTimesWithoutMilliseconds() throws {
        let added = try execute(["tasks", "add", "Bins", "--due", "2026-12-03T10:15:30.250Z", "--timezone", "Asia/Tokyo"], env: env)
        #expect(added.status == 0, "\(added.stderr)")
        _ = try execute(["tasks", "add", "Rent", "--due", "2026-12-25"], env: env.merging(["EDGE_TIMEZONE": "Asia/Tokyo"]) { $1 })
        let list = try execute(["tasks", "list", "--timezone", "Asia/Tokyo"], env: env)
        #expect(list.stdout.contains("2026-12-03 19:15  -         Bins"), "\(list.stdout)")
        #expect(list.stdout.contains("2026-12-25        -         Rent"), "\(list.stdout)")
        let id = String(try #require(added.stdout.split(separator: " ").dropFirst().first))
        let show = try execute(["tasks", "show", id, "--timezone", "Asia/Tokyo"], env: env)
        #expect(show.stdout.contains("due:          2026-12-03T19:15:30+09:00"), "\(show.stdout)")
        let berlin = try execute(["tasks", "show", id], env: env.merging(["EDGE_TIMEZONE": "Europe/Berlin"]) { $1 })
        #expect(berlin.stdout.contains("due:          2026-12-03T11:15:30+01:00"), "\(berlin.stdout)")
    }

    @Test func anUnknownZoneIsOneLineAndExit2() throws {
        let bad = try execute(["tasks", "list", "--timezone", "Nowhere/Land"], env: env)
        #expect(bad.status == 2)
        #expect(
            bad.stderr == "edge-agent: --timezone: unknown time zone \"Nowhere/Land\" (no /usr/share/zoneinfo/Nowhere/Land); "
                + "use an IANA name such as Europe/Berlin (install tzdata if /usr/share/zoneinfo is missing)\n")
        let traversal = try execute(["tasks", "add", "x", "--due", "today"], env: env.merging(["EDGE_TIMEZONE": "../../etc/passwd"]) { $1 })
        #expect(traversal.status == 2 && traversal.stderr.hasPrefix("edge-agent: EDGE_TIMEZONE: \"../../etc/passwd\" is not a time zone name"))
        // The refused add wrote nothing: not even a database.
        #expect(!FileManager.default.fileExists(atPath: dir.file("agent.db")))
    }
}
