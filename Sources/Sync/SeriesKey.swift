/// A metric series: a name and its labels, as Prometheus names them
/// (`node_cpu_seconds_total{cpu="0",mode="idle"}`). Labels are kept sorted by name, so equal
/// series compare and hash equal whatever order the labels were given in.
public struct SeriesKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let name: String
    public let labels: [SeriesLabel]

    public init(_ name: String, _ labels: [SeriesLabel] = []) {
        self.name = name
        self.labels = labels.sorted { $0.name < $1.name }
    }

    public init(_ name: String, _ labels: KeyValuePairs<String, String>) {
        self.init(name, labels.map { SeriesLabel($0.key, $0.value) })
    }

    public static func < (lhs: SeriesKey, rhs: SeriesKey) -> Bool {
        if lhs.name != rhs.name { return lhs.name < rhs.name }
        return lhs.labelText < rhs.labelText
    }

    /// `cpu="0",mode="idle"`: the one text form of a series' labels (Prometheus escaping),
    /// as the agent's catalog and central's series table store it and `/metrics` shows it;
    /// empty without labels.
    public var labelText: String {
        labels.map(\.text).joined(separator: ",")
    }

    /// `name{labels}` or just `name`.
    public var description: String {
        labels.isEmpty ? name : "\(name){\(labelText)}"
    }

    public func label(_ name: String) -> String? {
        labels.first { $0.name == name }?.value
    }

    /// Whether every given label has the given value.
    public func matches(_ selector: [String: String]) -> Bool {
        selector.allSatisfy { label($0.key) == $0.value }
    }

    /// A label value in the exposition format: `\` → `\\`, `"` → `\"`, newline → `\n`.
    public static func escape(_ value: String) -> String {
        // Most values need nothing: check the bytes before walking them.
        if !value.utf8.contains(where: { $0 == 0x5C || $0 == 0x22 || $0 == 0x0A }) { return value }
        var out = ""
        for c in value.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Parses `labelText` back; `nil` if it is not in that form.
    public static func parseLabels(_ text: String) -> [SeriesLabel]? {
        var labels: [SeriesLabel] = []
        var scalars = Substring(text).unicodeScalars[...]
        while !scalars.isEmpty {
            guard let eq = scalars.firstIndex(of: "=") else { return nil }
            let name = String(String.UnicodeScalarView(scalars[..<eq]))
            scalars = scalars[scalars.index(after: eq)...]
            guard scalars.first == "\"" else { return nil }
            scalars = scalars.dropFirst()
            var value = String.UnicodeScalarView()
            var closed = false
            while let c = scalars.first {
                scalars = scalars.dropFirst()
                if c == "\\" {
                    guard let next = scalars.first else { return nil }
                    scalars = scalars.dropFirst()
                    value.append(next == "n" ? "\n" : next)
                } else if c == "\"" {
                    closed = true
                    break
                } else {
                    value.append(c)
                }
            }
            guard closed, !name.isEmpty else { return nil }
            labels.append(SeriesLabel(name, String(value)))
            if scalars.first == "," { scalars = scalars.dropFirst() } else if !scalars.isEmpty { return nil }
        }
        return labels
    }
}

/// One label of a series: the one label type, from a probe's reading to central's row.
public struct SeriesLabel: Sendable, Hashable, Codable {
    public let name: String
    public let value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }

    public init(name: String, value: String) {
        self.init(name, value)
    }

    /// `name="value"`, the value escaped as the exposition format escapes it.
    public var text: String { name + "=\"" + SeriesKey.escape(value) + "\"" }
}
