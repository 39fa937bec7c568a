/// The firmware's `get_throttled` → `edge_rpi_throttled{condition,when}` (0/1).
public struct Throttling: Sendable, Hashable, Codable {
    public static let probe = "rpi_throttled"
    /// Where the firmware device lives: `soc/soc:firmware` on a Pi 4, `soc@107c000000/soc@107c000000:firmware`
    /// on a Pi 5, elsewhere on future boards and kernels. Searched, not assumed.
    static let searchRoot = "/sys/devices/platform"
    static let searchDepth = 3
    static let searchLimit = 5000

    /// The conditions in bit order: bit n is "now", bit n + 16 is "since boot".
    public static let conditions = ["under_voltage", "arm_freq_capped", "throttled", "soft_temp_limit"]

    /// The raw word: `0x50005` = under-voltage and throttled, now and since boot.
    public var raw: UInt32

    public init(raw: UInt32) { self.raw = raw }

    public func isActive(_ condition: String, sinceBoot: Bool) -> Bool? {
        guard let bit = Throttling.conditions.firstIndex(of: condition) else { return nil }
        return raw & (1 << UInt32(bit + (sinceBoot ? 16 : 0))) != 0
    }

    /// Parses the file: hex without `0x` (`50005`); a `0x` prefix is accepted too.
    public static func parse(_ text: String) -> Parsed<Throttling?> {
        var digits = Substring(text.trimmingTrailingNulsAndWhitespace())
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") { digits = digits.dropFirst(2) }
        guard !digits.isEmpty, digits.count <= 8, digits.allSatisfy(\.isHexDigit), let raw = UInt32(digits, radix: 16)
        else {
            return Parsed(nil, problems: ["not a hexadecimal word: \(TextParsing.quoted(text.trimmingTrailingNulsAndWhitespace()))"])
        }
        return Parsed(Throttling(raw: raw))
    }

    /// Breadth-first search for a regular file named `get_throttled`, not following symbolic links
    /// (sysfs links loop), firmware-looking directories first.
    public static func locate(in root: HostRoot) -> String? {
        var queue: [(path: String, depth: Int)] = [(searchRoot, 0)]
        var visited = 0
        while !queue.isEmpty, visited < searchLimit {
            let (directory, depth) = queue.removeFirst()
            visited += 1
            guard let entries = try? root.directoryEntries(directory) else { continue }
            if entries.contains(where: { $0.name == "get_throttled" && $0.kind == .file }) {
                return "\(directory)/get_throttled"
            }
            guard depth < searchDepth else { continue }
            let subdirectories = entries.filter { $0.kind == .directory }.map(\.name)
            let firmware = subdirectories.filter { $0.contains("firmware") }
            let soc = subdirectories.filter { !$0.contains("firmware") && $0.hasPrefix("soc") }
            let rest = subdirectories.filter { !$0.contains("firmware") && !$0.hasPrefix("soc") }
            queue += (firmware + soc + rest).map { ("\(directory)/\($0)", depth + 1) }
        }
        return nil
    }

    public static func read(from root: HostRoot) -> Parsed<Throttling?> { read(from: HostFiles(root)) }

    /// Where a search found `get_throttled` (nil: nowhere).
    struct Location: Sendable {
        var path: String?
    }

    static let locationKey = "throttling.location"

    /// The search runs once: its result is kept as long as the file reads, and a failed search for `period`.
    static func read(from files: HostFiles) -> Parsed<Throttling?> {
        if let kept = files.recall(locationKey, as: Location.self) {
            guard let path = kept.path else { return notFound }
            if let text = try? files.readText(path) { return parsed(String(decoding: text, as: UTF8.self), path: path) }
            // Gone (the firmware driver was reloaded elsewhere?): search again.
        }
        let location = Location(path: locate(in: files.root))
        files.keep(location, as: locationKey, for: location.path == nil ? .period : .run)
        guard let path = location.path else { return notFound }
        var problems: [String] = []
        guard let text = files.string(path, problems: &problems) else {
            files.forget(locationKey)
            return Parsed(nil, problems: problems)
        }
        return parsed(text, path: path)
    }

    private static var notFound: Parsed<Throttling?> {
        Parsed(nil, problems: ["\(searchRoot): no get_throttled (not a Raspberry Pi, or its firmware driver is not loaded)"])
    }

    private static func parsed(_ text: String, path: String) -> Parsed<Throttling?> {
        let parsed = parse(text)
        return Parsed(parsed.value, problems: parsed.problems.prefixed(path))
    }

    static func metricFamilies(_ throttling: Throttling?) -> [MetricFamily] {
        var samples: [Sample] = []
        if let throttling {
            for condition in conditions {
                for (when, sinceBoot) in [("now", false), ("since_boot", true)] {
                    let active = throttling.isActive(condition, sinceBoot: sinceBoot) ?? false
                    samples.append(Sample(["condition": condition, "when": when], value: active ? 1 : 0))
                }
            }
        }
        return [
            MetricFamily(
                name: "edge_rpi_throttled",
                help: "Raspberry Pi firmware throttling state from get_throttled: 1 when the condition holds now or has held since boot.",
                type: .gauge, samples: samples)
        ]
    }
}
