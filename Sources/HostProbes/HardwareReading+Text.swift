extension HardwareReading {
    /// A short summary for a person at a terminal (`edge-agent hw`). Not for parsing: use JSON.
    public func text(node: String? = nil) -> String {
        var lines: [(String, String)] = []
        if let node { lines.append(("node", node)) }
        if let board {
            var details: [String] = []
            if let revision = board.revision { details.append("revision \(revision)") }
            if let serial = board.serial { details.append("serial \(serial)") }
            let model = board.model ?? "unknown board"
            lines.append(("board", details.isEmpty ? model : "\(model) (\(details.joined(separator: ", ")))"))
        }
        if let clockSynchronized {
            lines.append(("clock", clockSynchronized ? "synchronized" : "NOT synchronized (wall clock may be wrong)"))
        }
        if let load {
            let values = [load.load1, load.load5, load.load15].map { $0.map { Format.fixed($0, 2) } ?? "?" }
            lines.append(("load", values.joined(separator: " ")))
        }
        for zone in thermalZones {
            lines.append(("temperature", "\(Format.fixed(zone.celsius, 1)) °C (\(zone.type))"))
        }
        if !cpuFrequencies.isEmpty {
            let distinct = Set(cpuFrequencies.map(\.hertz))
            if distinct.count == 1, let hertz = distinct.first {
                lines.append(("cpu frequency", "\(Format.hertz(hertz)) (\(cpuFrequencies.count) CPUs)"))
            } else {
                lines.append(("cpu frequency", cpuFrequencies.map { "cpu\($0.cpu) \(Format.hertz($0.hertz))" }.joined(separator: ", ")))
            }
        }
        if let throttling {
            func active(sinceBoot: Bool) -> String {
                let names = Throttling.conditions.filter { throttling.isActive($0, sinceBoot: sinceBoot) == true }
                return names.isEmpty ? "none" : names.map { $0.replacingUnderscores() }.joined(separator: ", ")
            }
            lines.append(("throttling", "now: \(active(sinceBoot: false)); since boot: \(active(sinceBoot: true))"))
        }
        if let underVoltageAlarm {
            lines.append(("under-voltage", underVoltageAlarm ? "ALARM" : "no"))
        }
        for fan in fans {
            lines.append(("fan", "\(Format.fixed(fan.rpm, 0)) rpm (\(fan.chip) \(fan.sensor))"))
        }
        if let memory {
            var parts: [String] = []
            if let available = memory["MemAvailable"], let total = memory["MemTotal"] {
                parts.append("\(Format.bytes(available)) available of \(Format.bytes(total))")
            }
            if let free = memory["SwapFree"], let total = memory["SwapTotal"], total > 0 {
                parts.append("swap \(Format.bytes(free)) free of \(Format.bytes(total))")
            }
            if !parts.isEmpty { lines.append(("memory", parts.joined(separator: "; "))) }
        }
        for fs in filesystems {
            lines.append(
                ("filesystem", "\(fs.mountpoint) \(Format.bytes(fs.availBytes)) available of \(Format.bytes(fs.sizeBytes)) (\(fs.fstype) on \(fs.device))"))
        }
        for interface in networkInterfaces where interface.device != "lo" {
            let received = interface.receiveBytes.map(Format.bytes) ?? "?"
            let sent = interface.transmitBytes.map(Format.bytes) ?? "?"
            lines.append(("network", "\(interface.device) received \(received), sent \(sent)"))
        }
        for disk in disks {
            let read = disk.readBytes.map(Format.bytes) ?? "?"
            let written = disk.writtenBytes.map(Format.bytes) ?? "?"
            lines.append(("disk", "\(disk.device) read \(read), written \(written)"))
        }
        for line in gpioLines {
            lines.append(("gpio", "\(line.name) = \(line.value) (\(line.chip) line \(line.line))"))
        }
        for issue in issues {
            lines.append(("not read", issue.description))
        }
        let width = (lines.map(\.0.count).max() ?? 0) + 2
        return lines.map { label, value in
            label + String(repeating: " ", count: width - label.count) + value
        }
        .joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
    }
}

/// Number formatting without `String(format:)`, which FoundationEssentials does not have.
enum Format {
    /// `value` rounded to `digits` decimals: `fixed(48.686, 1)` → `48.7`.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        guard value.isFinite else { return String(value) }
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e15 else { return String(value) }
        let units = UInt64(scaled)
        let whole = units / UInt64(scale)
        let fraction = units % UInt64(scale)
        var text = (value < 0 && units != 0 ? "-" : "") + String(whole)
        if digits > 0 {
            let digitsText = String(fraction)
            text += "." + String(repeating: "0", count: digits - digitsText.count) + digitsText
        }
        return text
    }

    /// Binary units: `1.5 GiB`.
    static func bytes(_ value: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"]
        var amount = Double(value)
        var unit = 0
        while amount >= 1024, unit < units.count - 1 {
            amount /= 1024
            unit += 1
        }
        return unit == 0 ? "\(value) B" : "\(fixed(amount, 1)) \(units[unit])"
    }

    /// `1.8 GHz`, `600 MHz`.
    static func hertz(_ value: Double) -> String {
        if value >= 1e9 { return "\(fixed(value / 1e9, 2)) GHz" }
        if value >= 1e6 { return "\(fixed(value / 1e6, 0)) MHz" }
        return "\(fixed(value, 0)) Hz"
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String {
        String(map { $0 == "_" ? "-" : $0 })
    }
}
