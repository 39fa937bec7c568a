import Sync

/// Prometheus text exposition format 0.0.4.
public enum PrometheusExposition {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Renders families sorted by name, samples sorted by label values. Empty families are left out; a
    /// family name given twice, or a sample repeating another's labels, keeps only its first occurrence,
    /// so the output always passes `promtool check metrics`.
    public static func render(_ families: [MetricFamily]) -> String {
        var output = ""
        output.reserveCapacity(families.reduce(0) { $0 + $1.samples.count } * 80)
        var previousName: String?
        // Sorted by name, then by position: the first family of a name is kept.
        let ordered = families.enumerated().sorted { ($0.element.name, $0.offset) < ($1.element.name, $1.offset) }
        for family in ordered.map(\.element) where !family.samples.isEmpty {
            guard family.name != previousName else { continue }
            previousName = family.name
            output += "# HELP \(family.name) \(escapeHelp(family.help))\n"
            output += "# TYPE \(family.name) \(family.type.rawValue)\n"
            // Sorted by labels, then by position, so a repeated label set is adjacent and its first sample is kept.
            let samples = family.samples.enumerated().sorted {
                $0.element.labels == $1.element.labels ? $0.offset < $1.offset : precedes($0.element.labels, $1.element.labels)
            }
            var previousLabels: [Label]?
            for sample in samples.map(\.element) {
                guard sample.labels != previousLabels else { continue }
                previousLabels = sample.labels
                output += family.name
                if !sample.labels.isEmpty {
                    output += "{"
                    // ``Sync/SeriesLabel/text``, appended piece by piece (no string per label).
                    for (index, label) in sample.labels.enumerated() {
                        if index > 0 { output += "," }
                        output += label.name
                        output += "=\""
                        output += SeriesKey.escape(label.value)
                        output += "\""
                    }
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
