import Sync
import Testing

@Suite struct RFC3339Tests {
    @Test func formatsUTCWithMillisecondsOnlyWhenPresent() {
        #expect(RFC3339.format(millis: 0) == "1970-01-01T00:00:00Z")
        #expect(RFC3339.format(millis: 1_763_788_800_120) == "2025-11-22T05:20:00.120Z")
        #expect(RFC3339.format(millis: 951_782_400_000) == "2000-02-29T00:00:00Z")
        #expect(RFC3339.format(millis: -1000) == "1969-12-31T23:59:59Z")
    }

    @Test func parsesOffsetsAndFractions() {
        #expect(RFC3339.parse("2025-11-22T05:20:00Z") == 1_763_788_800_000)
        #expect(RFC3339.parse("2025-11-22T14:20:00+09:00") == 1_763_788_800_000)
        #expect(RFC3339.parse("2025-11-21T23:20:00-06:00") == 1_763_788_800_000)
        #expect(RFC3339.parse("2025-11-22t05:20:00.1234z") == 1_763_788_800_123)
    }

    @Test(arguments: ["", "2025-11-22", "2025-11-22T05:20:00", "2025-02-29T00:00:00Z", "2025-13-01T00:00:00Z",
                      "2025-11-22T24:00:00Z", "2025-11-22T05:20:00.Z", "2025-11-22T05:20:00+9:00", "2025-11-22T05:20:00Z junk"])
    func rejectsInvalidText(_ text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test func roundTripsRandomInstants() {
        var random = SeededRandom(seed: 3)
        for _ in 0..<5000 {
            let millis = Int64.random(in: -2_000_000_000_000...10_000_000_000_000, using: &random)
            #expect(RFC3339.parse(RFC3339.format(millis: millis)) == millis)
        }
    }
}
