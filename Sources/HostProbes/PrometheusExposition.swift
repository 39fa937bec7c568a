import Sync

/// Prometheus text exposition format 0.0.4.
public enum PrometheusExposition {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Renders families sorted by name, samples sorted by label values. Empty families are left out; a
    /// family name given twice, or a sample repeating another's labels, keeps only its first occurrence,
    /// so the output always passes `promtool check metrics`.
    public static func render(_ families: [MetricFamily]) -> String {
        String(decoding: renderBytes(families), as: UTF8.self)
    }

    /// ``render(_:)`` as UTF-8 bytes, built in one buffer: what `/metrics` sends.
    public static func renderBytes(_ families: [MetricFamily]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(families.reduce(0) { $0 + $1.samples.count } * 80)
        var previousName: String?
        // Sorted by name, then by position: the first family of a name is kept.
        let ordered = families.enumerated().sorted { ($0.element.name, $0.offset) < ($1.element.name, $1.offset) }
        for family in ordered.map(\.element) where !family.samples.isEmpty {
            guard family.name != previousName else { continue }
            previousName = family.name
            output.append(contentsOf: "# HELP ".utf8)
            output.append(contentsOf: family.name.utf8)
            output.append(UInt8(ascii: " "))
            output.append(contentsOf: escapeHelp(family.help).utf8)
            output.append(contentsOf: "\n# TYPE ".utf8)
            output.append(contentsOf: family.name.utf8)
            output.append(UInt8(ascii: " "))
            output.append(contentsOf: family.type.rawValue.utf8)
            output.append(UInt8(ascii: "\n"))
            // Collectors mostly give their samples in order already: one pass finds that, and only the rest are
            // sorted by labels, then by position, so a repeated label set is adjacent and its first sample is kept.
            let inOrder = zip(family.samples, family.samples.dropFirst()).allSatisfy { precedes($0.labels, $1.labels) }
            let samples =
                inOrder
                ? family.samples
                : family.samples.enumerated().sorted {
                    $0.element.labels == $1.element.labels ? $0.offset < $1.offset : precedes($0.element.labels, $1.element.labels)
                }.map(\.element)
            var previousLabels: [Label]?
            for sample in samples {
                if !inOrder {
                    guard sample.labels != previousLabels else { continue }
                    previousLabels = sample.labels
                }
                output.append(contentsOf: family.name.utf8)
                if !sample.labels.isEmpty {
                    output.append(UInt8(ascii: "{"))
                    // ``Sync/SeriesLabel/text``, appended piece by piece (no string per label).
                    for (index, label) in sample.labels.enumerated() {
                        if index > 0 { output.append(UInt8(ascii: ",")) }
                        output.append(contentsOf: label.name.utf8)
                        output.append(contentsOf: "=\"".utf8)
                        output.append(contentsOf: SeriesKey.escape(label.value).utf8)
                        output.append(UInt8(ascii: "\""))
                    }
                    output.append(UInt8(ascii: "}"))
                }
                output.append(UInt8(ascii: " "))
                appendValue(sample.value, to: &output)
                output.append(UInt8(ascii: "\n"))
            }
        }
        return output
    }

    /// ``formatValue(_:)`` appended: integers digit by digit, without a string.
    static func appendValue(_ value: Double, to output: inout [UInt8]) {
        guard value == value.rounded(), abs(value) < 9.007_199_254_740_992e15 else {
            output.append(contentsOf: formatValue(value).utf8)
            return
        }
        var integer = Int64(value)  // -0.0 prints as 0, as `formatValue` does
        if integer < 0 {
            output.append(UInt8(ascii: "-"))
            integer = -integer
        }
        // At most 16 digits: the magnitude is below 2^53.
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(ascii: "0") + UInt8(integer % 10)
                integer /= 10
                count += 1
            } while integer > 0
            for index in stride(from: count - 1, through: 0, by: -1) { output.append(buffer[index]) }
        }
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
