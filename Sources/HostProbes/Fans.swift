/// `/sys/class/hwmon/hwmon*/fan*_input` → `node_hwmon_fan_rpm{chip,sensor}` (the Pi 5 fan).
public struct Fan: Sendable, Hashable, Codable {
    public static let probe = "hwmon_fan"
    /// No fan spins this fast; a larger value is garbage.
    static let maximumRPM: UInt64 = 1_000_000

    /// node_exporter's chip label: `platform_cooling_fan` for the Pi 5 fan.
    public var chip: String
    /// `fan1` for `fan1_input`.
    public var sensor: String
    public var rpm: Double

    public init(chip: String, sensor: String, rpm: Double) {
        self.chip = chip
        self.sensor = sensor
        self.rpm = rpm
    }

    /// Parses a `fan*_input` file: whole revolutions per minute.
    public static func parseRPM(_ text: String) -> Parsed<Double?> {
        let trimmed = text.trimmingTrailingNulsAndWhitespace()
        guard let rpm = TextParsing.unsigned(trimmed) else {
            return Parsed(nil, problems: ["not a speed: \(TextParsing.quoted(trimmed))"])
        }
        guard rpm <= maximumRPM else { return Parsed(nil, problems: ["speed out of range: \(rpm) rpm"]) }
        return Parsed(Double(rpm))
    }

    public static func read(from root: HostRoot) -> Parsed<[Fan]> { read(from: HostFiles(root)) }

    static func read(from files: HostFiles) -> Parsed<[Fan]> {
        var problems: [String] = []
        let devices: [String]
        do {
            devices = try Hwmon.devices(in: files)
        } catch {
            return Parsed([], problems: [error.description])
        }
        var result: [Fan] = []
        var sawFan = false
        for hwmon in devices {
            guard let entries = try? files.listDirectory(hwmon) else { continue }
            let sensors = entries.compactMap { name -> (sensor: String, number: UInt64)? in
                guard name.hasPrefix("fan"), name.hasSuffix("_input"),
                    let number = TextParsing.unsigned(name.dropFirst(3).dropLast(6))
                else { return nil }
                return (String(name.dropLast(6)), number)
            }
            .sorted { $0.number < $1.number }
            if sensors.isEmpty { continue }
            sawFan = true
            guard let chip = Hwmon.chipName(hwmon, in: files) else {
                problems.append("\(hwmon): cannot name the chip")
                continue
            }
            for sensor in sensors {
                let path = "\(hwmon)/\(sensor.sensor)_input"
                guard let text = files.string(path, problems: &problems) else { continue }
                let rpm = parseRPM(text)
                problems += rpm.problems.prefixed(path)
                if let value = rpm.value { result.append(Fan(chip: chip, sensor: sensor.sensor, rpm: value)) }
            }
        }
        if !sawFan { problems.append("\(Hwmon.directory): no fan*_input") }
        return Parsed(result, problems: problems)
    }

    static func metricFamilies(_ fans: [Fan]) -> [MetricFamily] {
        [
            MetricFamily(
                name: "node_hwmon_fan_rpm", help: "Hardware monitor for fan revolutions per minute (input)",
                type: .gauge, samples: fans.map { Sample(["chip": $0.chip, "sensor": $0.sensor], value: $0.rpm) })
        ]
    }
}
