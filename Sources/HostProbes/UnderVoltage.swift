/// The hwmon device named `rpi_volt`: `in0_lcrit_alarm` → `edge_rpi_under_voltage_alarm` (0/1).
public enum UnderVoltage {
    public static let probe = "rpi_under_voltage"

    /// Parses `in0_lcrit_alarm`: exactly `0` or `1`.
    public static func parseAlarm(_ text: String) -> Parsed<Bool?> {
        switch text.trimmingTrailingNulsAndWhitespace() {
        case "0": Parsed(false)
        case "1": Parsed(true)
        case let other: Parsed(nil, problems: ["not 0 or 1: \(TextParsing.quoted(other))"])
        }
    }

    public static func read(from root: HostRoot) -> Parsed<Bool?> { read(from: HostFiles(root)) }

    static func read(from files: HostFiles) -> Parsed<Bool?> {
        let devices: [String]
        do {
            devices = try Hwmon.devices(in: files)
        } catch {
            return Parsed(nil, problems: [error.description])
        }
        for hwmon in devices where (try? files.readAttribute("\(hwmon)/name")) == "rpi_volt" {
            var problems: [String] = []
            let path = "\(hwmon)/in0_lcrit_alarm"
            guard let text = files.string(path, problems: &problems) else { return Parsed(nil, problems: problems) }
            let alarm = parseAlarm(text)
            return Parsed(alarm.value, problems: alarm.problems.prefixed(path))
        }
        return Parsed(nil, problems: ["\(Hwmon.directory): no hwmon device named rpi_volt"])
    }

    static func metricFamilies(_ alarm: Bool?) -> [MetricFamily] {
        [
            .single(
                "edge_rpi_under_voltage_alarm",
                help: "Raspberry Pi under-voltage alarm from the rpi_volt hwmon device (in0_lcrit_alarm): 1 while the supply is too low.",
                value: alarm.map { $0 ? 1 : 0 })
        ]
    }
}
