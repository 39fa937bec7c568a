import HostProbes
import Sync

/// Which metric families the sampler stores in the local database (and so syncs to central): `/metrics` shows many
/// more, read fresh at every scrape, but the stored history is a curated set so the database and the bytes written
/// per reading stay as they are.
///
/// Written as a comma-separated list (`--stored-metrics`): `default` is the curated set (load, CPU seconds, memory,
/// temperatures, CPU frequency, filesystem size and available bytes, network and disk bytes, boot time, fans, and the
/// Raspberry Pi's `edge_*` figures); any other entry is a family name, or a prefix ending in `*`
/// (`default,node_pressure_*`).
public struct StoredMetrics: Sendable, Hashable, CustomStringConvertible {
    /// Whether the curated set is included.
    public var includesDefault: Bool
    /// Exact family names beyond the curated set.
    public var names: Set<String>
    /// Prefixes (written with a trailing `*`).
    public var prefixes: [String]

    public init(includesDefault: Bool = true, names: Set<String> = [], prefixes: [String] = []) {
        self.includesDefault = includesDefault
        self.names = names
        self.prefixes = prefixes
    }

    /// Today's curated set, and nothing else.
    public static let `default` = StoredMetrics()

    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        public var description: String
    }

    public static func parse(_ text: String) throws(ParseError) -> StoredMetrics {
        var result = StoredMetrics(includesDefault: false)
        let entries = text.split { $0 == "," || $0 == " " }.map(String.init)
        guard !entries.isEmpty else { throw ParseError(description: "empty: give `default` or metric names") }
        for entry in entries {
            if entry == "default" {
                result.includesDefault = true
                continue
            }
            let isPrefix = entry.hasSuffix("*")
            let name = isPrefix ? String(entry.dropLast()) : entry
            guard !name.isEmpty || isPrefix, name.utf8.allSatisfy(isNameByte), !(name.utf8.first.map(isDigit) ?? false) else {
                throw ParseError(description: "\"\(entry.prefix(60))\" is not a metric name, a prefix ending in *, or default")
            }
            if isPrefix { result.prefixes.append(name) } else { result.names.insert(name) }
        }
        return result
    }

    /// True when only the curated set is stored (the sampler then never scrapes).
    public var isDefault: Bool { includesDefault && names.isEmpty && prefixes.isEmpty }

    /// True when a family of this name is stored because it is named or matches a prefix (not through `default`).
    public func matchesExplicitly(_ name: String) -> Bool {
        names.contains(name) || prefixes.contains { name.hasPrefix($0) }
    }

    public var description: String {
        ((includesDefault ? ["default"] : []) + names.sorted() + prefixes.map { $0 + "*" }).joined(separator: ",")
    }

    private static func isNameByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x5F, 0x3A: true
        default: false
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }

    /// The values to store for one reading: the curated reading's (when `default` is included, or named), plus
    /// what `scrape` finds for the other entries (called only when there are any).
    public func values(_ reading: HardwareReading, scrape: () -> [MetricFamily]) -> [SeriesKey: Double] {
        if isDefault { return reading.seriesValues }
        var values: [SeriesKey: Double] = [:]
        var curatedNames: Set<String> = []
        for family in reading.unsortedMetricFamilies {
            curatedNames.insert(family.name)
            guard includesDefault || matchesExplicitly(family.name) else { continue }
            for sample in family.samples {
                values[SeriesKey(family.name, sample.labels.map { SeriesLabel($0.name, $0.value) })] = sample.value
            }
        }
        guard !names.isEmpty || !prefixes.isEmpty else { return values }
        for family in scrape() where matchesExplicitly(family.name) && !curatedNames.contains(family.name) {
            for sample in family.samples {
                values[SeriesKey(family.name, sample.labels.map { SeriesLabel($0.name, $0.value) })] = sample.value
            }
        }
        return values
    }
}
