/// node_exporter's `hwmon` collector: every sensor file of `/sys/class/hwmon/hwmon*` and of its `device` directory,
/// named and scaled as node_exporter does (`temp1_input` → `node_hwmon_temp_celsius{chip,sensor="temp1"}` in °C,
/// `in1_input` → `node_hwmon_in_volts`, `fan1_input` → `node_hwmon_fan_rpm`, ...), plus `node_hwmon_chip_names` and
/// `node_hwmon_sensor_label`. On a Pi: the SoC temperature (the thermal zone's hwmon), `rpi_volt`, the Pi 5 fan and
/// its RP1 ADC.
///
/// Unlike node_exporter, a sensor file that cannot be read or holds no number is counted as a failure of the
/// collector (and left out), rather than skipped in silence.
enum HwmonSensors {
    /// node_exporter's `hwmonSensorTypes`.
    static let sensorTypes: Set<String> = [
        "vrm", "beep_enable", "update_interval", "in", "cpu", "fan", "pwm", "temp", "curr", "power", "energy", "humidity",
        "intrusion",
    ]

    /// node_exporter's `^(?P<type>[^0-9]+)(?P<id>[0-9]*)?(_(?P<property>.+))?$`: `temp1_input` → (`temp`, 1, `input`),
    /// `temp` → (`temp`, 0, ``), `in0_lcrit_alarm` → (`in`, 0, `lcrit_alarm`).
    static func explode(_ name: String) -> (type: String, number: Int, property: String)? {
        let utf8 = Array(name.utf8)
        var index = 0
        while index < utf8.count, !TextParsing.isDigit(utf8[index]) { index += 1 }
        guard index > 0 else { return nil }
        let type = String(decoding: utf8[..<index], as: UTF8.self)
        let digitsStart = index
        while index < utf8.count, TextParsing.isDigit(utf8[index]) { index += 1 }
        var number = 0
        if index > digitsStart {
            guard index - digitsStart <= 9, let value = Int(String(decoding: utf8[digitsStart..<index], as: UTF8.self)) else { return nil }
            number = value
        }
        if index == utf8.count { return (type, number, "") }
        guard utf8[index] == UInt8(ascii: "_"), index + 1 < utf8.count else { return nil }
        return (type, number, String(decoding: utf8[(index + 1)...], as: UTF8.self))
    }

    /// Sensor → property → value text, in the order first seen.
    struct SensorData {
        var order: [String] = []
        var values: [String: [(property: String, value: String)]] = [:]

        mutating func add(_ sensor: String, _ property: String, _ value: String) {
            if values[sensor] == nil {
                order.append(sensor)
                values[sensor] = []
            }
            if let index = values[sensor]!.firstIndex(where: { $0.property == property }) {
                values[sensor]![index].value = value  // the `device` directory's file overrides, as in node_exporter
            } else {
                values[sensor]!.append((property, value))
            }
        }
    }

    static func collect(_ context: CollectorContext) -> Parsed<Collected> {
        let files = context.files
        var problems: [String] = []
        let devices: [String]
        do {
            devices = try Hwmon.devices(in: files)
        } catch {
            return Parsed(Collected([]), problems: [error.description])
        }
        var set = FamilySet()
        for hwmon in devices where files.isDirectory(hwmon) {
            guard let chip = Hwmon.chipName(hwmon, in: files) else {
                problems.append("\(hwmon): cannot name the chip")
                continue
            }
            var data = SensorData()
            read(hwmon, into: &data, files: files, problems: &problems)
            if files.isDirectory("\(hwmon)/device") {
                read("\(hwmon)/device", into: &data, files: files, problems: &problems)
            }
            if let name = files.optionalText("\(hwmon)/name", problems: &problems) {
                let cleaned = Hwmon.clean(String(decoding: name, as: UTF8.self))
                if !cleaned.isEmpty {
                    set.add(
                        "node_hwmon_chip_names", "Annotation metric for human-readable chip names", .gauge,
                        ["chip": chip, "chip_name": cleaned], 1)
                }
            }
            for sensor in data.order {
                emit(chip: chip, sensor: sensor, data: data.values[sensor] ?? [], into: &set, problems: &problems, base: hwmon)
            }
        }
        return Parsed(Collected(set.all), problems: problems)
    }

    /// Reads every file of `directory` whose name is a sensor's (at most ``HostFiles/maxEntriesPerClass``).
    static func read(_ directory: String, into data: inout SensorData, files: HostFiles, problems: inout [String]) {
        let entries: [DirectoryEntry]
        do {
            entries = try files.directoryEntries(directory)
        } catch {
            problems.append(error.description)
            return
        }
        var count = 0
        for entry in entries where entry.kind != .directory {
            guard let (type, number, property) = explode(entry.name), sensorTypes.contains(type) else { continue }
            count += 1
            if count > HostFiles.maxEntriesPerClass {
                files.skipped += 1
                continue
            }
            let path = "\(directory)/\(entry.name)"
            let bytes: [UInt8]
            do {
                bytes = try files.readFile(path)
            } catch {
                // A link to a directory (`device/power`) is no sensor; anything else unreadable is a failure.
                if case .isADirectory = error { continue }
                if case .overBudget = error, files.skipped > 1 { continue }
                problems.append(error.description)
                continue
            }
            var text = String(decoding: bytes, as: UTF8.self)
            while text.last == "\n" { text.removeLast() }
            if property != "label", !TextParsing.isUTF8(bytes) {
                problems.append("\(path): not valid UTF-8")
                continue
            }
            data.add(type + String(number), property, text)
        }
    }

    static func emit(
        chip: String, sensor: String, data: [(property: String, value: String)], into set: inout FamilySet,
        problems: inout [String], base: String
    ) {
        guard let (type, _, _) = explode(sensor) else { return }
        let labels = [Label(name: "chip", value: chip), Label(name: "sensor", value: sensor)]
        func value(_ property: String) -> String? { data.first { $0.property == property }?.value }
        func number(_ property: String, _ text: String) -> Double? {
            guard let value = TextParsing.signed(text.trimmingTrailingNulsAndWhitespace()) else {
                problems.append("\(base): \(sensor)\(property.isEmpty ? "" : "_" + property): not a number: \(TextParsing.quoted(text))")
                return nil
            }
            return Double(value)
        }
        if let label = value("label") {
            set.add(
                "node_hwmon_sensor_label", "Label for given chip and sensor", .gauge,
                [Label(name: "chip", value: chip), Label(name: "label", value: label), Label(name: "sensor", value: sensor)], 1)
        }
        switch type {
        case "beep_enable":
            set.add("node_hwmon_beep_enabled", "Hardware beep enabled", .gauge, labels, value("") == "1" ? 1 : 0)
            return
        case "vrm":
            if let text = value(""), let version = number("", text) {
                set.add("node_hwmon_voltage_regulator_version", "Hardware voltage regulator", .gauge, labels, version)
            }
            return
        case "update_interval":
            if let text = value(""), let interval = number("", text) {
                set.add("node_hwmon_update_interval_seconds", "Hardware monitor update interval", .gauge, labels, interval * 0.001)
            }
            return
        default: break
        }
        let prefix = "node_hwmon_" + type
        let hasPlain = value("") != nil
        for (element, text) in data where element != "label" {
            var name = prefix
            if element == "input" {
                if hasPlain { name += "_input" }
            } else if !element.isEmpty {
                name += "_" + Hwmon.clean(element)
            }
            guard let parsed = number(element, text) else { continue }
            switch (type, element) {
            case (_, "fault"), (_, "alarm"):
                set.add(name, "Hardware sensor \(element) status (\(type))", .gauge, labels, parsed)
            case (_, "beep"):
                set.add(name + "_enabled", "Hardware monitor sensor has beeping enabled", .gauge, labels, parsed)
            case ("in", _), ("cpu", _):
                set.add(name + "_volts", "Hardware monitor for voltage (\(element))", .gauge, labels, parsed * 0.001)
            case ("temp", _) where element != "type":
                set.add(name + "_celsius", "Hardware monitor for temperature (\(element.isEmpty ? "input" : element))", .gauge, labels, parsed * 0.001)
            case ("curr", _):
                set.add(name + "_amps", "Hardware monitor for current (\(element))", .gauge, labels, parsed * 0.001)
            case ("energy", _):
                set.add(name + "_joule_total", "Hardware monitor for joules used so far (\(element))", .counter, labels, parsed / 1_000_000)
            case ("power", "accuracy"):
                set.add(name, "Hardware monitor power meter accuracy, as a ratio", .gauge, labels, parsed / 1_000_000)
            case ("power", "average_interval"), ("power", "average_interval_min"), ("power", "average_interval_max"):
                set.add(name + "_seconds", "Hardware monitor power usage update interval (\(element))", .gauge, labels, parsed * 0.001)
            case ("power", _):
                set.add(name + "_watt", "Hardware monitor for power usage in watts (\(element))", .gauge, labels, parsed / 1_000_000)
            case ("humidity", _):
                set.add(
                    name,
                    "Hardware monitor for humidity, as a ratio (multiply with 100.0 to get the humidity as a percentage) (\(element))",
                    .gauge, labels, parsed / 1_000_000)
            case ("fan", "input"), ("fan", "min"), ("fan", "max"), ("fan", "target"):
                guard parsed >= 0 else {
                    problems.append("\(base): \(sensor)_\(element): not a speed: \(TextParsing.quoted(text))")
                    continue
                }
                set.add(name + "_rpm", "Hardware monitor for fan revolutions per minute (\(element))", .gauge, labels, parsed)
            default:
                set.add(name, "Hardware monitor \(type) element \(element)", .gauge, labels, parsed)
            }
        }
    }
}
