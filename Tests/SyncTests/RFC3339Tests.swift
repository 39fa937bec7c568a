import Sync
import TestSupport
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

    @Test(arguments: [
        "", "2025-11-22", "2025-11-22T05:20:00", "2025-02-29T00:00:00Z", "2025-13-01T00:00:00Z",
        "2025-11-22T24:00:00Z", "2025-11-22T05:20:00.Z", "2025-11-22T05:20:00+9:00", "2025-11-22T05:20:00Z junk",
    ])
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

    @Test(arguments: [
        "0000-01-01T00:00:00+23:59", "0000-12-31T23:59:59Z", "9999-12-31T23:59:59-00:01",
        "10000-01-01T00:00:00Z", "2016-12-31T23:59:60Z", "2025-11-22T05:20:60+01:00",
    ])
    func refusesWhatFormatCannotWriteBack(_ text: String) {
        #expect(RFC3339.parse(text) == nil)
    }

    @Test func acceptsTheEdgesOfTheRepresentableYears() {
        #expect(RFC3339.parse("0001-01-01T00:00:00Z") == RFC3339.representable.lowerBound)
        #expect(RFC3339.parse("0001-01-01T23:59:00+23:59") == RFC3339.representable.lowerBound)
        #expect(RFC3339.parse("9999-12-31T23:59:59.999Z") == RFC3339.representable.upperBound)
        #expect(RFC3339.format(millis: RFC3339.representable.lowerBound) == "0001-01-01T00:00:00Z")
    }

    /// Every accepted text, whatever its offset and fraction, formats to text that parses back
    /// to the same instant: what is stored can always be sent.
    @Test func everyAcceptedTextFormatsToValidText() {
        var random = SeededRandom(seed: 11)
        for _ in 0..<5000 {
            let year = Int.random(in: 0...10_000, using: &random)
            let month = Int.random(in: 1...12, using: &random), day = Int.random(in: 1...28, using: &random)
            let hour = Int.random(in: 0...23, using: &random), minute = Int.random(in: 0...59, using: &random)
            let second = Int.random(in: 0...60, using: &random)
            let offset = Int.random(in: -(23 * 60 + 59)...(23 * 60 + 59), using: &random)
            let fraction = ["", ".5", ".123", ".123456789"].randomElement(using: &random)!
            func pad(_ v: Int, _ w: Int) -> String { String(repeating: "0", count: max(0, w - String(v).count)) + String(v) }
            let zone = offset == 0 ? "Z" : (offset < 0 ? "-" : "+") + pad(abs(offset) / 60, 2) + ":" + pad(abs(offset) % 60, 2)
            let text = "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2))\(fraction)\(zone)"
            guard let millis = RFC3339.parse(text) else { continue }
            #expect(RFC3339.representable.contains(millis))
            let written = RFC3339.format(millis: millis)
            #expect(written.count >= 20 && written.count <= 24, "\(text) -> \(written)")
            #expect(RFC3339.parse(written) == millis, "\(text) -> \(written)")
        }
    }
}
