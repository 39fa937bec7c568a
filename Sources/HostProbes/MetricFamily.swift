import Sync

/// A Prometheus metric family: one name, its help and type, and its samples.
public struct MetricFamily: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// `untyped`: what node_exporter declares for `/proc/vmstat` and netstat fields.
        case gauge, counter, untyped
    }

    public var name: String
    public var help: String
    public var type: Kind
    public var samples: [Sample]

    public init(name: String, help: String, type: Kind, samples: [Sample]) {
        self.name = name
        self.help = help
        self.type = type
        self.samples = samples
    }

    /// A family with a single unlabelled sample, or none when the value is unknown.
    static func single(_ name: String, help: String, type: Kind = .gauge, value: Double?) -> MetricFamily {
        MetricFamily(name: name, help: help, type: type, samples: value.map { [Sample(labels: [], value: $0)] } ?? [])
    }
}

/// One sample: labels in the order the family declares them, and a value.
public struct Sample: Sendable, Hashable, Codable {
    public var labels: [Label]
    public var value: Double

    public init(labels: [Label], value: Double) {
        self.labels = labels
        self.value = value
    }

    public init(_ labels: KeyValuePairs<String, String>, value: Double) {
        self.labels = labels.map { Label(name: $0.key, value: $0.value) }
        self.value = value
    }

    /// The value of the label called `name`, if present.
    public subscript(label name: String) -> String? {
        labels.first { $0.name == name }?.value
    }
}

/// A sample's label: the series label every part shares (``Sync/SeriesLabel``).
public typealias Label = SeriesLabel

enum MetricName {
    /// `[a-zA-Z_:][a-zA-Z0-9_:]*`, the Prometheus metric name syntax.
    static func isValid(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(0x30...0x39).contains(first) else { return false }
        return name.utf8.allSatisfy(isNameByte)
    }

    /// `[a-zA-Z0-9_:]`.
    static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x5F, 0x3A: true
        default: false
        }
    }
}
