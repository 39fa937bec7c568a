/// `/sys/class/hwmon` helpers shared by ``Fan`` and ``UnderVoltage``.
enum Hwmon {
    static let directory = "/sys/class/hwmon"

    /// `hwmon0`, `hwmon1`, ... in numeric order.
    static func devices(in files: HostFiles) throws(HostRootError) -> [String] {
        try files.numberedEntries(directory, prefix: "hwmon").map { "\(directory)/\($0.name)" }
    }

    /// The chip label node_exporter derives (`hwmonName` in its hwmon collector): the parent directory and
    /// name of the resolved `device` link (`platform_cooling_fan`), else the `name` file, else `hwmonN`.
    static func chipName(_ hwmon: String, in root: HostRoot) -> String? { chipName(hwmon, in: HostFiles(root)) }

    /// ``chipName(_:in:)``, kept as long as the listing of `/sys/class/hwmon` that named `hwmon`.
    static func chipName(_ hwmon: String, in files: HostFiles) -> String? {
        let key = "hwmon.chip:" + hwmon
        if let kept = files.recall(key, as: String?.self) { return kept }
        let name = findChipName(hwmon, in: files)
        files.keep(name, as: key, for: .period, under: directory)
        return name
    }

    /// Every source is optional here (a virtual hwmon has no `device` link): read straight from the root, as a
    /// missing one says nothing about the listing being old.
    private static func findChipName(_ hwmon: String, in files: HostFiles) -> String? {
        let root = files.root
        if let device = try? root.resolve("\(hwmon)/device") {
            let parts = device.split(separator: "/")
            let name = parts.last.map { clean(String($0)) } ?? ""
            let type = parts.count >= 2 ? clean(String(parts[parts.count - 2])) : ""
            if !type.isEmpty, !name.isEmpty { return type + "_" + name }
            if !name.isEmpty { return name }
        }
        if let name = try? root.readText("\(hwmon)/name") {
            let cleaned = clean(name)
            if !cleaned.isEmpty { return cleaned }
        }
        if let resolved = try? root.resolve(hwmon), let last = resolved.split(separator: "/").last {
            let cleaned = clean(String(last))
            if !cleaned.isEmpty { return cleaned }
        }
        return nil
    }

    /// node_exporter's `cleanMetricName`: lower case, `[^a-z0-9:_]` → `_`, `_` trimmed at both ends.
    static func clean(_ name: String) -> String {
        let replaced = String(
            name.lowercased().unicodeScalars.map { scalar -> Character in
                switch scalar {
                case "a"..."z", "0"..."9", ":", "_": Character(scalar)
                default: "_"
                }
            })
        return String(replaced.drop { $0 == "_" }.reversed().drop { $0 == "_" }.reversed())
    }
}
