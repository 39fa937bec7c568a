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

    /// node_exporter's `thermal_zone` collector: the zones, and the cooling devices' states
    /// (`node_cooling_device_cur_state`, `node_cooling_device_max_state`).
    static func collect(_ context: CollectorContext) -> Parsed<Collected> {
        let files = context.files
        let zones = read(from: files)
        // A board without zones (a VM) is no failure, as in node_exporter.
        var problems = zones.problems.filter { $0 != "\(directory): no thermal zones" }
        var set = FamilySet()
        let devices: [(name: String, number: Int)]
        do {
            devices = try files.numberedEntries(directory, prefix: "cooling_device")
        } catch {
            devices = []
            if zones.value.isEmpty == false || !error.isNotFound { problems.append(error.description) }
        }
        for device in devices {
            let base = "\(directory)/\(device.name)"
            guard let type = files.attribute("\(base)/type", problems: &problems) else { continue }
            let labels = [Label(name: "name", value: String(device.number)), Label(name: "type", value: type)]
            for (file, name, help) in [
                ("cur_state", "node_cooling_device_cur_state", "Current throttle state of the cooling device"),
                ("max_state", "node_cooling_device_max_state", "Maximum throttle state of the cooling device"),
            ] {
                guard let text = files.attribute("\(base)/\(file)", problems: &problems) else { continue }
                guard let value = TextParsing.signed(text) else {
                    problems.append("\(base)/\(file): not a number: \(TextParsing.quoted(text))")
                    continue
                }
                set.add(name, help, .gauge, labels, Double(value))
            }
        }
        return Parsed(Collected(metricFamilies(zones.value) + set.all), problems: problems)
    }

    static func metricFamilies(_ zones: [ThermalZone]) -> [MetricFamily] {
        [
            MetricFamily(
                name: "node_thermal_zone_temp", help: "Zone temperature in Celsius", type: .gauge,
                samples: zones.map { Sample(["type": $0.type, "zone": $0.zone], value: $0.celsius) })
        ]
    }
}
