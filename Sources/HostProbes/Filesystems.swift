/// `/proc/1/mountinfo` (or `/proc/self/mountinfo` where PID 1 is hidden) plus `statvfs` under the root filesystem →
/// `node_filesystem_size_bytes` / `node_filesystem_avail_bytes` `{device,fstype,mountpoint}`.
public struct FilesystemUsage: Sendable, Hashable, Codable {
    public static let probe = "filesystem"
    /// node_exporter reads PID 1's mount table first: it is the host's even when we run in a container.
    static let mountTables = ["/proc/1/mountinfo", "/proc/self/mountinfo"]

    public var device: String
    public var fstype: String
    public var mountpoint: String
    public var sizeBytes: UInt64
    public var availBytes: UInt64

    public init(device: String, fstype: String, mountpoint: String, sizeBytes: UInt64, availBytes: UInt64) {
        self.device = device
        self.fstype = fstype
        self.mountpoint = mountpoint
        self.sizeBytes = sizeBytes
        self.availBytes = availBytes
    }

    public static func read(from root: HostRoot, statistics: any FilesystemStatistics, rootfs: HostRoot? = nil) -> Parsed<[FilesystemUsage]> {
        read(from: HostFiles(root), statistics: statistics, rootfs: rootfs ?? root)
    }

    /// The mounts worth a `statvfs`, from the table that `path` holds as `bytes`.
    struct MountTable: Sendable {
        var path: String
        var bytes: [UInt8]
        var mounts: [Mount]
        var problems: [String]
    }

    static let tableKey = "filesystem.mountTable"

    static func read(from files: HostFiles, statistics: any FilesystemStatistics, rootfs: HostRoot) -> Parsed<[FilesystemUsage]> {
        let table = mounts(from: files)
        guard let mounts = table.value else { return Parsed([], problems: table.problems) }
        var problems = table.problems
        var result: [FilesystemUsage] = []
        result.reserveCapacity(mounts.count)
        for mount in mounts {
            do {
                let space = try statistics.space(of: mount, in: rootfs)
                result.append(
                    FilesystemUsage(
                        device: mount.source, fstype: mount.fstype, mountpoint: mount.mountPoint,
                        sizeBytes: space.sizeBytes, availBytes: space.availBytes))
            } catch {
                problems.append("\(mount.mountPoint): \(error)")
            }
        }
        return Parsed(result.sorted { $0.mountpoint < $1.mountpoint }, problems: problems)
    }

    /// node_exporter's `filesystem` collector: size, free and available bytes, file nodes, read-only state
    /// (`node_filesystem_*{device,fstype,mountpoint}`), and `node_filesystem_device_error` 1 for a mount point that is
    /// there but whose `statfs` failed (its other values are then left out, as there). A mount point not visible
    /// under the root filesystem is left out entirely. Device errors are not a failure of the collector.
    static func collect(_ context: CollectorContext) -> Parsed<Collected> {
        let table = mounts(from: context.files)
        guard let mounts = table.value else { return Parsed(Collected([]), problems: table.problems) }
        var problems = table.problems
        var set = FamilySet()
        for mount in mounts {
            let labels = [
                Label(name: "device", value: mount.source), Label(name: "fstype", value: mount.fstype),
                Label(name: "mountpoint", value: mount.mountPoint),
            ]
            let space: FilesystemSpace
            do {
                space = try context.statistics.space(of: mount, in: context.rootfs)
            } catch {
                problems.append("\(mount.mountPoint): \(error)")
                if (error as? FilesystemStatisticsError)?.isDeviceError == true {
                    set.add(deviceError.name, deviceError.help, .gauge, labels, 1)
                }
                continue
            }
            set.add(deviceError.name, deviceError.help, .gauge, labels, 0)
            set.add("node_filesystem_size_bytes", "Filesystem size in bytes.", .gauge, labels, Double(space.sizeBytes))
            if let free = space.freeBytes {
                set.add("node_filesystem_free_bytes", "Filesystem free space in bytes.", .gauge, labels, Double(free))
            }
            set.add(
                "node_filesystem_avail_bytes", "Filesystem space available to non-root users in bytes.", .gauge, labels,
                Double(space.availBytes))
            if let files = space.files {
                set.add("node_filesystem_files", "Filesystem total file nodes.", .gauge, labels, Double(files))
            }
            if let filesFree = space.filesFree {
                set.add("node_filesystem_files_free", "Filesystem total free file nodes.", .gauge, labels, Double(filesFree))
            }
            set.add("node_filesystem_readonly", "Filesystem read-only status.", .gauge, labels, mount.readOnly ? 1 : 0)
        }
        // Success unless the mount table itself could not be read or parsed.
        return Parsed(Collected(set.all, success: table.problems.isEmpty), problems: problems)
    }

    static let deviceError = (
        name: "node_filesystem_device_error", help: "Whether an error occurred while getting statistics for the given device."
    )

    /// The mounts worth a `statvfs` (node_exporter's excludes applied, one per mount point), or nil when no mount table
    /// could be read.
    static func mounts(from files: HostFiles) -> Parsed<[Mount]?> {
        var problems: [String] = []
        let kept = files.recall(tableKey, as: MountTable.self)
        var table: (path: String, text: [UInt8])?
        if let kept, let text = try? files.readText(kept.path) {
            table = (kept.path, text)  // the table that worked last time
        } else {
            for path in mountTables {
                do {
                    table = (path, try files.readText(path))
                    break
                } catch {
                    problems.append(error.description)
                    // Only an absent PID 1 (hidden by systemd's ProtectProc=invisible or hidepid) falls back to our
                    // own table; an unreadable one must not be replaced by a container's view.
                    if !error.isNotFound { break }
                }
            }
        }
        guard let table else { return Parsed(nil, problems: problems) }

        // The mount table rarely changes: parse it again only when it did.
        let mounts: MountTable
        if let kept, kept.path == table.path, kept.bytes == table.text {
            mounts = kept
        } else {
            mounts = mountTable(table.path, table.text)
            files.keep(mounts, as: tableKey, for: .period)
        }
        // The fallback worked: the first table's absence is not a problem.
        return Parsed(mounts.mounts, problems: mounts.problems)
    }

    static func mountTable(_ path: String, _ text: [UInt8]) -> MountTable {
        let parsed = Mount.parseMountInfo(text[...])
        // Several mounts on one mount point (a bind mount over another): only the top one is visible to
        // statvfs, and one series per mount point keeps the exposition free of duplicates.
        var lastIndex: [String: Int] = [:]
        let mounts = parsed.value.filter { !$0.isIgnored }
        for (index, mount) in mounts.enumerated() { lastIndex[mount.mountPoint] = index }
        let visible = mounts.enumerated().filter { lastIndex[$0.element.mountPoint] == $0.offset }.map(\.element)
        return MountTable(path: path, bytes: text, mounts: visible, problems: parsed.problems.prefixed(path))
    }

    static func metricFamilies(_ filesystems: [FilesystemUsage]) -> [MetricFamily] {
        func labels(_ fs: FilesystemUsage) -> [Label] {
            [
                Label(name: "device", value: fs.device), Label(name: "fstype", value: fs.fstype),
                Label(name: "mountpoint", value: fs.mountpoint),
            ]
        }
        return [
            MetricFamily(
                name: "node_filesystem_size_bytes", help: "Filesystem size in bytes.", type: .gauge,
                samples: filesystems.map { Sample(labels: labels($0), value: Double($0.sizeBytes)) }),
            MetricFamily(
                name: "node_filesystem_avail_bytes", help: "Filesystem space available to non-root users in bytes.",
                type: .gauge,
                samples: filesystems.map { Sample(labels: labels($0), value: Double($0.availBytes)) }),
        ]
    }
}

/// One line of `/proc/<pid>/mountinfo`.
public struct Mount: Sendable, Hashable, Codable {
    /// `major:minor` of the filesystem (`179:2`), the `st_dev` of every file on it.
    public var major: UInt32
    public var minor: UInt32
    /// The mount point on the host, unescaped (`/media/pi/My Disk`).
    public var mountPoint: String
    public var fstype: String
    /// The mount source: the device (`/dev/mmcblk0p2`) or a name (`tmpfs`).
    public var source: String
    /// `ro` in the mount's options or its filesystem's (what `/proc/mounts` shows as `ro`).
    public var readOnly: Bool

    public init(major: UInt32, minor: UInt32, mountPoint: String, fstype: String, source: String, readOnly: Bool = false) {
        self.major = major
        self.minor = minor
        self.mountPoint = mountPoint
        self.fstype = fstype
        self.source = source
        self.readOnly = readOnly
    }

    /// node_exporter's default `--collector.filesystem.fs-types-exclude` and `mount-points-exclude`.
    public var isIgnored: Bool {
        Self.ignoredTypes.contains(fstype) || Self.isIgnoredMountPoint(mountPoint)
    }

    static let ignoredTypes: Set<String> = [
        "autofs", "binfmt_misc", "bpf", "cgroup", "cgroup2", "configfs", "debugfs", "devpts", "devtmpfs", "fusectl",
        "hugetlbfs", "iso9660", "mqueue", "nsfs", "overlay", "proc", "procfs", "pstore", "rpc_pipefs", "securityfs",
        "selinuxfs", "squashfs", "erofs", "sysfs", "tracefs",
    ]

    /// `^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)`, by hand
    /// (Swift `Regex` costs milliseconds per reading on a Pi).
    static func isIgnoredMountPoint(_ path: String) -> Bool {
        for top in ["/dev", "/proc", "/sys"] where path == top || path.hasPrefix(top + "/") { return true }
        for parent in ["/run/credentials/", "/var/lib/docker/", "/var/lib/containers/storage/"]
        where path.hasPrefix(parent) && path.utf8.count > parent.utf8.count {
            return true
        }
        return false
    }

    /// Parses mountinfo: `36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue`.
    public static func parseMountInfo(_ text: String) -> Parsed<[Mount]> { parseMountInfo(TextParsing.bytes(text)) }

    static func parseMountInfo(_ bytes: Bytes) -> Parsed<[Mount]> {
        let (lines, truncated) = TextParsing.completeLines(bytes)
        var problems: [String] = []
        var mounts: [Mount] = []
        var fields: [Bytes] = []
        for line in lines where !line.isEmpty {
            fields.removeAll(keepingCapacity: true)
            var start = line.startIndex
            for index in line.indices where line[index] == UInt8(ascii: " ") {
                fields.append(line[start..<index])
                start = index + 1
            }
            fields.append(line[start...])
            guard fields.count >= 10, let separator = fields[6...].firstIndex(where: { $0.equals("-") }),
                separator + 3 < fields.count
            else {
                problems.append("malformed line: \(TextParsing.quoted(line))")
                continue
            }
            let device = fields[2]
            let colon = device.firstIndex(ofASCII: ":")
            guard let colon, !device[(colon + 1)...].contains(UInt8(ascii: ":")),
                let major = TextParsing.unsigned(device[..<colon]), let minor = TextParsing.unsigned(device[(colon + 1)...]),
                major <= UInt32.max, minor <= UInt32.max
            else {
                problems.append("malformed device number: \(TextParsing.quoted(device))")
                continue
            }
            func hasReadOnly(_ options: Bytes) -> Bool {
                options.split(separator: UInt8(ascii: ",")).contains { $0.elementsEqual("ro".utf8) }
            }
            mounts.append(
                Mount(
                    major: UInt32(major), minor: UInt32(minor), mountPoint: unescape(fields[4]),
                    fstype: unescape(fields[separator + 1]), source: unescape(fields[separator + 2]),
                    readOnly: hasReadOnly(fields[5]) || hasReadOnly(fields[separator + 3])))
        }
        if let truncated { problems.append("last line cut short: \(TextParsing.quoted(truncated))") }
        return Parsed(mounts, problems: problems)
    }

    /// The kernel writes space, tab, newline and backslash as octal escapes (`\040`).
    static func unescape(_ field: Bytes) -> String {
        guard field.contains(0x5C) else { return TextParsing.string(field) }
        var bytes: [UInt8] = []
        let utf8 = Array(field)
        var index = 0
        while index < utf8.count {
            if utf8[index] == 0x5C, index + 3 < utf8.count, let value = octal(utf8[(index + 1)...(index + 3)]) {
                bytes.append(value)
                index += 4
            } else {
                bytes.append(utf8[index])
                index += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func octal(_ digits: ArraySlice<UInt8>) -> UInt8? {
        guard digits.count == 3 else { return nil }
        var value = 0
        for digit in digits {
            guard (0x30...0x37).contains(digit) else { return nil }
            value = value * 8 + Int(digit - 0x30)
        }
        return value <= 255 ? UInt8(value) : nil
    }
}
