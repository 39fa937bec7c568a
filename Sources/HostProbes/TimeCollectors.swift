/// node_exporter's `uname` collector: `node_uname_info`, what the "Node Exporter Full" dashboard's variables come from.
enum UnameCollector {
    static func collect(_ context: CollectorContext) -> Parsed<Collected> {
        let uname: Uname
        do {
            uname = try context.kernel.uname()
        } catch {
            return Parsed(Collected([]), problems: [error.description])
        }
        let labels: KeyValuePairs<String, String> = [
            "domainname": uname.domainname, "machine": uname.machine, "nodename": context.nodeName ?? uname.nodename,
            "release": uname.release, "sysname": uname.sysname, "version": uname.version,
        ]
        var set = FamilySet()
        set.add("node_uname_info", "Labeled system information as provided by the uname system call.", .gauge, labels, 1)
        return Parsed(Collected(set.all))
    }
}

/// node_exporter's `time` collector: the wall clock, the time zone, and the clock sources of
/// `/sys/devices/system/clocksource`.
enum SystemTime {
    static let directory = "/sys/devices/system/clocksource"

    static func collect(_ context: CollectorContext) -> Parsed<Collected> {
        let files = context.files
        let now = context.kernel.wallTime()
        var set = FamilySet()
        set.add("node_time_seconds", "System time in seconds since epoch (1970).", .gauge, [], now.seconds)
        set.add(
            "node_time_zone_offset_seconds", "System time zone offset in seconds.", .gauge, ["time_zone": now.zone],
            Double(now.offsetSeconds))
        var problems: [String] = []
        let sources: [(name: String, number: Int)]
        do {
            sources = try files.numberedEntries(directory, prefix: "clocksource")
        } catch  where error.isNotFound {
            sources = []  // node_exporter finds no clock source then, and says nothing
        } catch {
            return Parsed(Collected(set.all), problems: [error.description])
        }
        for (index, source) in sources.enumerated() {
            let base = "\(directory)/\(source.name)"
            let device = String(index)
            if let available = files.attribute("\(base)/available_clocksource", problems: &problems) {
                for name in available.split(separator: " ") where isName(name) {
                    set.add(
                        "node_time_clocksource_available_info",
                        "Available clocksources read from '/sys/devices/system/clocksource'.", .gauge,
                        ["clocksource": String(name), "device": device], 1)
                }
                if !available.split(separator: " ").allSatisfy(isName) {
                    problems.append("\(base)/available_clocksource: not a list of names: \(TextParsing.quoted(available))")
                }
            }
            if let current = files.attribute("\(base)/current_clocksource", problems: &problems) {
                if isName(current[...]) {
                    set.add(
                        "node_time_clocksource_current_info", "Current clocksource read from '/sys/devices/system/clocksource'.",
                        .gauge, ["clocksource": current, "device": device], 1)
                } else {
                    problems.append("\(base)/current_clocksource: not a name: \(TextParsing.quoted(current))")
                }
            }
        }
        return Parsed(Collected(set.all), problems: problems)
    }

    /// A clock source name: `arch_sys_counter`, `tsc`, `acpi_pm`.
    static func isName(_ text: Substring) -> Bool {
        !text.isEmpty && text.utf8.count <= 64 && text.utf8.allSatisfy { MetricName.isNameByte($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
    }
}

/// node_exporter's `timex` collector: the kernel's clock discipline from `adjtimex(2)` (read only). Absent, with the
/// collector failed, where the call is refused (systemd's `ProtectClock=yes`).
enum Timex {
    /// `TIME_ERROR`: the clock is not synchronised.
    static let timeError: Int32 = 5
    /// `STA_NANO`: `offset` and `jitter` are in nanoseconds rather than microseconds.
    static let staNano: Int32 = 0x2000

    static func collect(_ context: CollectorContext) -> Parsed<Collected> {
        let timex: TimexState
        do {
            timex = try context.kernel.timex()
        } catch {
            return Parsed(Collected([]), problems: [error.description])
        }
        return Parsed(Collected(families(timex)))
    }

    static func families(_ timex: TimexState) -> [MetricFamily] {
        let divisor = timex.status & staNano != 0 ? 1e9 : 1e6
        let ppm16frac = 1_000_000.0 * 65536.0
        var set = FamilySet()
        func gauge(_ name: String, _ help: String, _ value: Double) { set.add("node_timex_" + name, help, .gauge, [], value) }
        func counter(_ name: String, _ help: String, _ value: Double) { set.add("node_timex_" + name, help, .counter, [], value) }
        gauge("sync_status", "Is clock synchronized to a reliable server (1 = yes, 0 = no).", timex.state == timeError ? 0 : 1)
        gauge("offset_seconds", "Time offset in between local system and reference clock.", Double(timex.offset) / divisor)
        gauge("frequency_adjustment_ratio", "Local clock frequency adjustment.", 1 + Double(timex.freq) / ppm16frac)
        gauge("maxerror_seconds", "Maximum error in seconds.", Double(timex.maxerror) / 1e6)
        gauge("estimated_error_seconds", "Estimated error in seconds.", Double(timex.esterror) / 1e6)
        gauge("status", "Value of the status array bits.", Double(timex.status))
        gauge("loop_time_constant", "Phase-locked loop time constant.", Double(timex.constant))
        gauge("tick_seconds", "Seconds between clock ticks.", Double(timex.tick) / 1e6)
        gauge("pps_frequency_hertz", "Pulse per second frequency.", Double(timex.ppsfreq) / ppm16frac)
        gauge("pps_jitter_seconds", "Pulse per second jitter.", Double(timex.jitter) / divisor)
        gauge("pps_shift_seconds", "Pulse per second interval duration.", Double(timex.shift))
        gauge("pps_stability_hertz", "Pulse per second stability, average of recent frequency changes.", Double(timex.stabil) / ppm16frac)
        counter("pps_jitter_total", "Pulse per second count of jitter limit exceeded events.", Double(timex.jitcnt))
        counter("pps_calibration_total", "Pulse per second count of calibration intervals.", Double(timex.calcnt))
        counter("pps_error_total", "Pulse per second count of calibration errors.", Double(timex.errcnt))
        counter("pps_stability_exceeded_total", "Pulse per second count of stability limit exceeded events.", Double(timex.stbcnt))
        gauge("tai_offset_seconds", "International Atomic Time (TAI) offset.", Double(timex.tai))
        return set.all
    }
}
