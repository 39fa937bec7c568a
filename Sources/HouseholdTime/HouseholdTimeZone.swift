#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// The household's time zone: where "today", "tomorrow" and "Tuesday" are, and how the CLI
/// shows times. Chosen by `--timezone` / `EDGE_TIMEZONE` (an IANA name such as
/// `Europe/Berlin`), else `/etc/localtime`, else `TZ`, else UTC; read from the IANA database in
/// `/usr/share/zoneinfo` (`TZDIR` to use another).
public struct HouseholdTimeZone: Sendable {
    public let zone: ZoneInfo
    public var name: String { zone.name }

    public init(_ zone: ZoneInfo) { self.zone = zone }

    public static let utc = HouseholdTimeZone(.utc)

    public struct ResolveError: Error, CustomStringConvertible {
        public let description: String
    }

    /// The zone named by the option (or `EDGE_TIMEZONE`); else the system's.
    /// - Throws: `ResolveError` naming the option when a given name cannot be used.
    public static func resolve(
        option: String?, environment: [String: String], zoneinfo: String? = nil,
        localtime: String = "/etc/localtime"
    ) throws -> HouseholdTimeZone {
        let directory = zoneinfo ?? environment["TZDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/share/zoneinfo"
        let (given, source) =
            option.map { ($0, "--timezone") }
            ?? environment["EDGE_TIMEZONE"].flatMap { $0.isEmpty ? nil : ($0, "EDGE_TIMEZONE") } ?? (nil, "")
        if let given {
            do {
                return HouseholdTimeZone(try named(given, in: directory))
            } catch {
                throw ResolveError(description: "\(source): \(error.description)")
            }
        }
        if let bytes = readFile(localtime) {
            let name = systemZoneName(localtime, directory: directory) ?? "localtime"
            if let zone = ZoneInfo(name: name, tzif: bytes) { return HouseholdTimeZone(zone) }
        }
        if var tz = environment["TZ"], !tz.isEmpty {
            if tz.hasPrefix(":") { tz.removeFirst() }
            if let zone = try? named(tz, in: directory) { return HouseholdTimeZone(zone) }
            if let zone = ZoneInfo(name: tz, posixRule: Substring(tz)) { return HouseholdTimeZone(zone) }
        }
        return .utc
    }

    /// A zone by IANA name from `directory`.
    public static func named(_ name: String, in directory: String = "/usr/share/zoneinfo") throws(ResolveError) -> ZoneInfo {
        let shown = "\"\(name.prefix(60))\""
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard !name.isEmpty, name.utf8.count <= 255,
            parts.allSatisfy({ part in
                !part.isEmpty && part != "." && part != ".."
                    && part.utf8.allSatisfy { $0 < 0x80 && (isalnum(Int32($0)) != 0 || "._+-".utf8.contains($0)) }
            })
        else {
            throw ResolveError(description: "\(shown) is not a time zone name; use an IANA name such as Europe/Berlin, Asia/Tokyo or UTC")
        }
        guard let bytes = readFile(directory + "/" + name) else {
            if name == "UTC" || name == "Etc/UTC" { return .utc }  // without tzdata, UTC still works
            throw ResolveError(
                description:
                    "unknown time zone \(shown) (no \(directory)/\(name)); use an IANA name such as Europe/Berlin (install tzdata if \(directory) is missing)")
        }
        guard let zone = ZoneInfo(name: name, tzif: bytes) else {
            throw ResolveError(description: "\(directory)/\(name) is not a time zone file (TZif); reinstall tzdata or choose another name")
        }
        return zone
    }

    // MARK: Local dates and times

    /// The local calendar date at the instant `millis`.
    public func date(atMillis millis: Int64) -> CivilDate {
        CivilDate(daysSinceEpoch: floorDiv(localSeconds(millis), 86_400))
    }

    /// The last second of `date`, local time (23:59:59), as UTC milliseconds.
    public func endOfDay(_ date: CivilDate) -> Int64 {
        zone.utc(fromLocal: date.daysSinceEpoch * 86_400 + 86_399) * 1000
    }

    /// Whether `millis` is the last second of its local day (a due date without a time).
    public func isEndOfDay(_ millis: Int64) -> Bool {
        millis % 1000 == 0 && endOfDay(date(atMillis: millis)) == millis
    }

    /// `2026-12-03T18:31:05+09:00`: local time with its offset, whole seconds.
    public func format(millis: Int64) -> String {
        let seconds = floorDiv(millis, 1000)
        let offset = Int(zone.offset(atUTC: seconds))
        let local = seconds + Int64(offset)
        let date = CivilDate(daysSinceEpoch: floorDiv(local, 86_400))
        let secondOfDay = Int(local - floorDiv(local, 86_400) * 86_400)
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let sign = offset < 0 ? "-" : "+"
        let zoneText = offset == 0 ? "Z" : sign + two(abs(offset) / 3600) + ":" + two(abs(offset) % 3600 / 60)
        return "\(date)T\(two(secondOfDay / 3600)):\(two(secondOfDay % 3600 / 60)):\(two(secondOfDay % 60))\(zoneText)"
    }

    private func localSeconds(_ millis: Int64) -> Int64 {
        let seconds = floorDiv(millis, 1000)
        return seconds + Int64(zone.offset(atUTC: seconds))
    }

    // MARK: Files

    /// At most 1 MiB of a regular file, or nil.
    static func readFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size <= 1 << 20 else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { break }
            done += n
        }
        return Array(bytes.prefix(done))
    }

    /// `Europe/Berlin` when `/etc/localtime` links into the zoneinfo directory.
    static func systemZoneName(_ localtime: String, directory: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink(localtime, &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        let target = String(decoding: buffer.prefix(n).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        for marker in [directory + "/", "zoneinfo/"] {
            let t = Array(target.utf8), m = Array(marker.utf8)
            guard t.count > m.count else { continue }
            for start in stride(from: t.count - m.count, through: 0, by: -1) where t[start..<start + m.count].elementsEqual(m) {
                let name = String(decoding: t[(start + m.count)...], as: UTF8.self)
                return name.hasPrefix("posix/") ? String(name.dropFirst(6)) : name
            }
        }
        return nil
    }
}
