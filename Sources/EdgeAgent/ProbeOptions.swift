import CommandLineSupport
import ArgumentParser
import HostProbes
import Sync
import Libgpiod

/// Where the hardware is read from: the host root and the GPIO lines to watch.
struct ProbeOptions: ParsableArguments {
    @Option(name: .customLong("host-root"), help: ArgumentHelp(
        "Directory where the host's /proc and /sys are found. [env: EDGE_HOST_ROOT] [default: /]", valueName: "dir"))
    var hostRootFlag: String?

    @Option(name: .customLong("gpio-lines"), help: ArgumentHelp(
        "GPIO input lines to export, separated by ';': chip=<label or name>,line=<offset or name>[,name=<friendly name>], "
            + "e.g. chip=pinctrl-bcm2711,line=17,name=door. [env: EDGE_GPIO_LINES] [default: none]", valueName: "lines"))
    var gpioLinesFlag: String?

    var hostRoot: String { Settings.resolve(flag: hostRootFlag, env: "EDGE_HOST_ROOT") { "/" } }

    func gpioLines() throws -> [GPIOLineSpec] {
        let text = Settings.resolve(flag: gpioLinesFlag, env: "EDGE_GPIO_LINES") { "" }
        do {
            return try GPIOLineSpec.parseList(text)
        } catch {
            throw CLIError.configuration("--gpio-lines / EDGE_GPIO_LINES: \(error)")
        }
    }

    /// A reader of the real host (or the given root), with libgpiod for GPIO.
    func reader() throws -> HardwareReader {
        var isDirectory = false
        guard FileSystem.exists(hostRoot, isDirectory: &isDirectory), isDirectory else {
            throw CLIError.configuration("--host-root / EDGE_HOST_ROOT: \(hostRoot) is not a directory")
        }
        return HardwareReader(root: HostRoot(hostRoot), gpio: LibgpiodReader(), gpioLines: try gpioLines())
    }
}

/// `--sample-interval`, `--retention` and `--max-db-size` for the daemon.
struct SamplingOptions: ParsableArguments {
    @Option(name: .customLong("sample-interval"), help: ArgumentHelp(
        "How often to read the hardware: 1s to 1h, e.g. 15s, 1m. [env: EDGE_SAMPLE_INTERVAL] [default: 15s]", valueName: "duration"))
    var intervalFlag: String?

    @Option(name: .customLong("retention"), help: ArgumentHelp(
        "How long raw samples are kept before they are rolled up, e.g. 7d, 36h. [env: EDGE_RETENTION] [default: 7d]",
        valueName: "duration"))
    var retentionFlag: String?

    @Option(name: .customLong("max-db-size"), help: ArgumentHelp(
        "Size the database is kept under by rolling up and then dropping old metrics (never tasks), e.g. 512MB, 2GB, 300MiB. "
            + "[env: EDGE_MAX_DB_SIZE] [default: 512MB]", valueName: "size"))
    var maxSizeFlag: String?

    func intervalMillis() throws -> Int64 {
        let text = Settings.resolve(flag: intervalFlag, env: "EDGE_SAMPLE_INTERVAL") { "15s" }
        guard let ms = DurationText.parseMillis(text), ms >= 1000, ms <= 3_600_000 else {
            throw CLIError.configuration(
                "--sample-interval / EDGE_SAMPLE_INTERVAL: \"\(text.prefix(40))\" is not a duration from 1s to 1h (e.g. 15s, 1m)")
        }
        return ms
    }

    func retentionMillis() throws -> Int64 {
        let text = Settings.resolve(flag: retentionFlag, env: "EDGE_RETENTION") { "7d" }
        guard let ms = DurationText.parseMillis(text), ms >= 60_000 else {
            throw CLIError.configuration("--retention / EDGE_RETENTION: \"\(text.prefix(40))\" is not a duration of 1m or more (e.g. 7d, 36h)")
        }
        return ms
    }

    func maxBytes() throws -> Int64 {
        let text = Settings.resolve(flag: maxSizeFlag, env: "EDGE_MAX_DB_SIZE") { "512MB" }
        guard let bytes = ByteSize.parse(text), bytes >= 1_000_000 else {
            throw CLIError.configuration(
                "--max-db-size / EDGE_MAX_DB_SIZE: \"\(text.prefix(40))\" is not a size of 1MB or more (e.g. 512MB, 2GB, 300MiB)")
        }
        return bytes
    }
}

/// Sizes: a number and an optional unit, B, kB/KB, MB, GB, TB (powers of 1000) or KiB, MiB,
/// GiB, TiB (powers of 1024). Units are case-insensitive.
enum ByteSize {
    static func parse(_ text: String) -> Int64? {
        let trimmed = text.trimmingSpaces.lowercased()
        let units: [(String, Int64)] = [
            ("kib", 1 << 10), ("mib", 1 << 20), ("gib", 1 << 30), ("tib", 1 << 40),
            ("kb", 1000), ("mb", 1_000_000), ("gb", 1_000_000_000), ("tb", 1_000_000_000_000), ("b", 1),
        ]
        var number = Substring(trimmed), scale: Int64 = 1
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            number = trimmed.dropLast(suffix.count)
            scale = factor
            break
        }
        number = Substring(String(number).trimmingSpaces)
        guard !number.isEmpty, number.allSatisfy(\.isASCII), let value = Int64(number), value >= 0,
              value <= Int64.max / scale
        else { return nil }
        return value * scale
    }
}
