/// Durations written as a number and a unit: `500ms`, `15s`, `10m`, `2h`, `7d`, `1w`.
public enum DurationText {
    public static func parseMillis(_ text: String) -> Int64? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000), ("w", 604_800_000)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            let number = text.dropLast(suffix.count)
            guard !number.isEmpty, number.allSatisfy(\.isASCII), let value = Int64(number), value >= 0,
                value <= Int64.max / scale / 2
            else { return nil }
            return value * scale
        }
        return nil
    }
}
