/// Prometheus text exposition format 0.0.4.
public enum PrometheusExposition {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Renders families sorted by name, samples sorted by label values. Empty families are left out; a
    /// family name given twice, or a sample repeating another's labels, keeps only its first occurrence,
    /// so the output always passes `promtool check metrics`.
    public static func render(_ families: [MetricFamily]) -> String {
        var output = ""
        var names: Set<String> = []
        for family in families.sorted(by: { $0.name < $1.name }) where !family.samples.isEmpty {
            guard names.insert(family.name).inserted else { continue }
            output += "# HELP \(family.name) \(escapeHelp(family.help))\n"
            output += "# TYPE \(family.name) \(family.type.rawValue)\n"
            var seen: Set<[Label]> = []
            for sample in family.samples.sorted(by: { precedes($0.labels, $1.labels) }) {
                guard seen.insert(sample.labels).inserted else { continue }
                output += family.name
                if !sample.labels.isEmpty {
                    output += "{"
                    output += sample.labels.map { "\($0.name)=\"\(escapeLabelValue($0.value))\"" }.joined(separator: ",")
                    output += "}"
                }
                output += " " + formatValue(sample.value) + "\n"
            }
        }
        return output
    }

    /// Integers print in full (`1800000000`, not `1.8e+09`); other values as the shortest text that reads
    /// back as the same Double (`48.686`).
    public static func formatValue(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 9.007_199_254_740_992e15 {
            return String(Int64(value))
        }
        return String(value)
    }

    /// `\` → `\\`, `"` → `\"`, newline → `\n`.
    public static func escapeLabelValue(_ value: String) -> String {
        // Most values need nothing: check the bytes before walking characters.
        if !value.utf8.contains(where: { $0 == 0x5C || $0 == 0x22 || $0 == 0x0A }) { return value }
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// `\` → `\\`, newline → `\n`.
    public static func escapeHelp(_ help: String) -> String {
        if !help.utf8.contains(where: { $0 == 0x5C || $0 == 0x0A }) { return help }
        var escaped = ""
        for character in help {
            switch character {
            case "\\": escaped += "\\\\"
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    private static func precedes(_ left: [Label], _ right: [Label]) -> Bool {
        for (l, r) in zip(left, right) {
            if l.name != r.name { return l.name < r.name }
            if l.value != r.value { return l.value < r.value }
        }
        return left.count < right.count
    }
}
