import Glibc

/// node_exporter's `netclass` collector: `/sys/class/net/<iface>/*` → `node_network_up`, `node_network_info` and the
/// device properties (`node_network_mtu_bytes`, `node_network_speed_bytes`, `node_network_carrier`, ...).
///
/// `/sys/class/net` lists the interfaces of the namespace that mounted sysfs: the host's, also through the
/// DaemonSet's `/host/sys`.
enum NetClass {
    static let directory = "/sys/class/net"

    /// Numeric attributes: file, metric suffix, counter or gauge. `dev_id` and `flags` are hexadecimal.
    static let properties: [(file: String, name: String, type: MetricFamily.Kind)] = [
        ("addr_assign_type", "address_assign_type", .gauge),
        ("carrier", "carrier", .gauge),
        ("carrier_changes", "carrier_changes_total", .counter),
        ("carrier_up_count", "carrier_up_changes_total", .counter),
        ("carrier_down_count", "carrier_down_changes_total", .counter),
        ("dev_id", "device_id", .gauge),
        ("dormant", "dormant", .gauge),
        ("flags", "flags", .gauge),
        ("ifindex", "iface_id", .gauge),
        ("iflink", "iface_link", .gauge),
        ("link_mode", "iface_link_mode", .gauge),
        ("mtu", "mtu_bytes", .gauge),
        ("name_assign_type", "name_assign_type", .gauge),
        ("netdev_group", "net_dev_group", .gauge),
        ("speed", "speed_bytes", .gauge),
        ("tx_queue_len", "transmit_queue_length", .gauge),
        ("type", "protocol_type", .gauge),
    ]

    /// What identifies an interface rather than describes its state: read once per cache period (and again at once
    /// when the interface goes away), where the other attributes are read at every scrape.
    static let identityAttributes: Set<String> = [
        "address", "broadcast", "addr_assign_type", "dev_id", "ifindex", "iflink", "name_assign_type", "netdev_group", "type",
        "link_mode",
    ]

    /// As node_exporter's procfs: an attribute the device does not have, or cannot report now (`speed` of a link
    /// that is down reads as EINVAL), is simply absent.
    static func isAbsent(_ error: HostRootError) -> Bool {
        switch error {
        case .notFound, .permissionDenied: true
        case .system(_, let code): code == EINVAL || code == EOPNOTSUPP || code == ENODATA || code == ENODEV
        default: false
        }
    }

    static func collect(_ context: CollectorContext) -> Parsed<Collected> {
        let files = context.files
        var problems: [String] = []
        let entries: [DirectoryEntry]
        do {
            entries = try files.directoryEntries(directory)
        } catch {
            return Parsed(Collected([]), problems: [error.description])
        }
        // `bonding_masters` and the like are files, not interfaces.
        var devices = entries.filter { $0.kind != .file }.map(\.name)
        if devices.count > HostFiles.maxEntriesPerClass {
            files.skipped += devices.count - HostFiles.maxEntriesPerClass
            devices = Array(devices.prefix(HostFiles.maxEntriesPerClass))
        }
        var set = FamilySet()
        for device in devices {
            let base = "\(directory)/\(device)"
            let identityKey = "netclass.identity:" + base
            var identity = files.recall(identityKey, as: [String: String?].self)
            let readIdentity = identity == nil
            if readIdentity { identity = [:] }
            var failed = false
            func attribute(_ file: String) -> String? {
                if let kept = identity?[file] { return kept }
                let value: String?
                do {
                    value = try files.readAttribute("\(base)/\(file)")
                } catch  where isAbsent(error) {
                    value = nil
                } catch {
                    if case .overBudget = error, files.skipped > 1 { return nil }
                    if case .notADirectory = error { return nil }
                    problems.append(error.description)
                    failed = true
                    return nil
                }
                if readIdentity, identityAttributes.contains(file) { identity?[file] = .some(value) }
                return value
            }
            guard files.isDirectory(base) else { continue }
            defer {
                // What names the interface is kept as long as the listing of /sys/class/net that found it.
                if readIdentity, !failed, let identity { files.keep(identity, as: identityKey, for: .period, under: directory) }
            }
            let deviceLabel = [Label(name: "device", value: device)]
            let operstate = attribute("operstate")
            if let operstate {
                set.add("node_network_up", "Value is 1 if operstate is 'up', 0 otherwise.", .gauge, deviceLabel, operstate == "up" ? 1 : 0)
            }
            set.add(
                "node_network_info", "Non-numeric data from /sys/class/net/<iface>, value is always 1.", .gauge,
                [
                    Label(name: "address", value: attribute("address") ?? ""),
                    Label(name: "broadcast", value: attribute("broadcast") ?? ""),
                    Label(name: "device", value: device), Label(name: "duplex", value: attribute("duplex") ?? ""),
                    Label(name: "ifalias", value: attribute("ifalias") ?? ""), Label(name: "operstate", value: operstate ?? ""),
                ], 1)
            for property in properties {
                guard let text = attribute(property.file) else { continue }
                let value: Int64?
                if property.file == "dev_id" || property.file == "flags" {
                    value = text.hasPrefix("0x") ? TextParsing.hex(TextParsing.bytes(String(text.dropFirst(2)))).flatMap { Int64(exactly: $0) } : nil
                } else {
                    value = TextParsing.signed(text)
                }
                guard var number = value else {
                    problems.append("\(base)/\(property.file): not a number: \(TextParsing.quoted(text))")
                    continue
                }
                if property.file == "speed" {
                    // Mbit/s to bytes per second; -1 (unknown) gives node_exporter's -125000.
                    let (bytes, overflow) = number.multipliedReportingOverflow(by: 125_000)
                    guard !overflow else {
                        problems.append("\(base)/speed: out of range: \(number)")
                        continue
                    }
                    number = bytes
                }
                set.add("node_network_" + property.name, "Network device property: \(property.name)", property.type, deviceLabel, Double(number))
            }
        }
        return Parsed(Collected(set.all), problems: problems)
    }
}
