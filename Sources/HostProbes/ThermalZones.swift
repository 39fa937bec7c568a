/// `/sys/class/thermal/thermal_zone*/{temp,type}` → `node_thermal_zone_temp{type,zone}` in °C.
public struct ThermalZone: Sendable, Hashable, Codable {
    public static let probe = "thermal_zone"
    static let directory = "/sys/class/thermal"
    /// Absolute zero, in the file's millidegrees: anything colder is a broken sensor.
    static let minimumMillidegrees: Int64 = -273_150
    /// No sensor on a running board reads this hot; drivers report such values when a read fails.
    static let maximumMillidegrees: Int64 = 1_000_000

    /// The zone number as a label value: `"0"` for `thermal_zone0`.
    public var zone: String
    /// The zone's `type` file: `cpu-thermal` on a Pi 4 and Pi 5.
    public var type: String
    public var celsius: Double

    public init(zone: String, type: String, celsius: Double) {
        self.zone = zone
        self.type = type
        self.celsius = celsius
    }

    /// Parses a `temp` file: integer millidegrees Celsius (`48686` → 48.686).
    public static func parseTemperature(_ text: String) -> Parsed<Double?> {
        let trimmed = text.trimmingTrailingNulsAndWhitespace()
        guard let millidegrees = TextParsing.signed(trimmed) else {
            return Parsed(nil, problems: ["not a temperature: \(TextParsing.quoted(trimmed))"])
        }
        guard millidegrees >= minimumMillidegrees, millidegrees <= maximumMillidegrees else {
            return Parsed(nil, problems: ["temperature out of range: \(millidegrees) m°C"])
        }
        return Parsed(Double(millidegrees) / 1000)
    }

    public static func read(from root: HostRoot) -> Parsed<[ThermalZone]> { read(from: HostFiles(root)) }

    static func read(from files: HostFiles) -> Parsed<[ThermalZone]> {
        var problems: [String] = []
        let zones: [(name: String, number: Int)]
        do {
            zones = try files.numberedEntries(directory, prefix: "thermal_zone")
        } catch {
            return Parsed([], problems: [error.description])
        }
        if zones.isEmpty { return Parsed([], problems: ["\(directory): no thermal zones"]) }
        var result: [ThermalZone] = []
        for zone in zones {
            let base = "\(directory)/\(zone.name)"
            guard let text = files.string("\(base)/temp", problems: &problems) else { continue }
            let temperature = parseTemperature(text)
            problems += temperature.problems.prefixed("\(base)/temp")
            guard let celsius = temperature.value,
                let type = files.attribute("\(base)/type", problems: &problems)
            else { continue }
            guard !type.isEmpty else {
                problems.append("\(base)/type: empty")
                continue
            }
            result.append(ThermalZone(zone: String(zone.number), type: type, celsius: celsius))
        }
        return Parsed(result, problems: problems)
    }

    static func metricFamilies(_ zones: [ThermalZone]) -> [MetricFamily] {
        [
            MetricFamily(
                name: "node_thermal_zone_temp", help: "Zone temperature in Celsius", type: .gauge,
                samples: zones.map { Sample(["type": $0.type, "zone": $0.zone], value: $0.celsius) })
        ]
    }
}
