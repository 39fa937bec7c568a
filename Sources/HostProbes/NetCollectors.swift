/// node_exporter's `netstat` collector with its default fields: `net/netstat`, `net/snmp` and `net/snmp6` of the
/// host's network namespace (``ProcNet``) → `node_netstat_<Protocol>_<Field>` (untyped, as there).
enum NetStat {
    /// node_exporter's default `--collector.netstat.fields`:
    /// `^(.*_(InErrors|InErrs)|Ip_Forwarding|Ip(6|Ext)_(InOctets|OutOctets)|Icmp6?_(InMsgs|OutMsgs)|TcpExt_(Listen.*|Syncookies.*|TCPSynRetrans|TCPTimeouts)|Tcp_(ActiveOpens|InSegs|OutSegs|OutRsts|PassiveOpens|RetransSegs|CurrEstab)|Udp6?_(InDatagrams|OutDatagrams|NoPorts|RcvbufErrors|SndbufErrors))$`,
    /// matched by hand.
    static func isDefaultField(_ key: String) -> Bool {
        guard let underscore = key.firstIndex(of: "_") else { return false }
        return isDefaultField(proto: TextParsing.bytes(String(key[..<underscore])), name: TextParsing.bytes(String(key[key.index(after: underscore)...])))
    }

    /// The same test on a protocol (`Tcp`) and a field name (`InSegs`) as they sit in the file, so the three hundred
    /// fields of `net/netstat` are tested without a string made for each.
    static func isDefaultField(proto: Bytes, name: Bytes) -> Bool {
        if name.elementsEqual("InErrors".utf8) || name.elementsEqual("InErrs".utf8) { return true }
        func any(_ candidates: [StaticString]) -> Bool { candidates.contains { name.equals($0) } }
        switch proto.count {
        case 2 where proto.equals("Ip"): return name.equals("Forwarding")
        case 3 where proto.equals("Tcp"):
            return any(["ActiveOpens", "InSegs", "OutSegs", "OutRsts", "PassiveOpens", "RetransSegs", "CurrEstab"])
        case 3 where proto.equals("Ip6"), 5 where proto.equals("IpExt"): return any(["InOctets", "OutOctets"])
        case 4 where proto.equals("Icmp"), 5 where proto.equals("Icmp6"): return any(["InMsgs", "OutMsgs"])
        case 6 where proto.equals("TcpExt"):
            return name.hasPrefix("Listen") || name.hasPrefix("Syncookies") || any(["TCPSynRetrans", "TCPTimeouts"])
        case 3 where proto.equals("Udp"), 4 where proto.equals("Udp6"):
            return any(["InDatagrams", "OutDatagrams", "NoPorts", "RcvbufErrors", "SndbufErrors"])
        default: return false
        }
    }

    /// The default regex transcribed literally, on `Protocol_Field`: the tests check ``isDefaultField(proto:name:)``
    /// against it.
    static func isDefaultFieldString(_ key: String) -> Bool {
        if key.hasSuffix("_InErrors") || key.hasSuffix("_InErrs") { return true }
        switch key {
        case "Ip_Forwarding", "Ip6_InOctets", "Ip6_OutOctets", "IpExt_InOctets", "IpExt_OutOctets", "Icmp_InMsgs",
            "Icmp_OutMsgs", "Icmp6_InMsgs", "Icmp6_OutMsgs", "TcpExt_TCPSynRetrans", "TcpExt_TCPTimeouts":
            return true
        default: break
        }
        if key.hasPrefix("TcpExt_Listen") || key.hasPrefix("TcpExt_Syncookies") { return true }
        if key.hasPrefix("Tcp_") {
            return ["ActiveOpens", "InSegs", "OutSegs", "OutRsts", "PassiveOpens", "RetransSegs", "CurrEstab"].contains(key.dropFirst(4))
        }
        for prefix in ["Udp_", "Udp6_"] where key.hasPrefix(prefix) {
            return ["InDatagrams", "OutDatagrams", "NoPorts", "RcvbufErrors", "SndbufErrors"].contains(key.dropFirst(prefix.count))
        }
        return false
    }

    /// `net/netstat` and `net/snmp`: pairs of lines, `Tcp: RtoAlgorithm RtoMin ...` then `Tcp: 1 200 ...`.
    /// Returns `Protocol_Field` → value text, for the fields `wanted` accepts.
    static func parsePairs(_ bytes: Bytes, wanted: (Bytes, Bytes) -> Bool) -> Parsed<[(key: String, value: Bytes)]> {
        let (lines, truncated) = TextParsing.completeLines(bytes)
        var result: [(key: String, value: Bytes)] = []
        var problems: [String] = []
        var index = 0
        while index < lines.count {
            let names = lines[index]
            if names.isEmpty {
                index += 1
                continue
            }
            guard index + 1 < lines.count else {
                problems.append("header without values: \(TextParsing.quoted(names))")
                break
            }
            let values = lines[index + 1]
            index += 2
            let nameFields = TextParsing.fields(names), valueFields = TextParsing.fields(values)
            guard let protocolField = nameFields.first, protocolField.last == UInt8(ascii: ":"),
                valueFields.first?.elementsEqual(protocolField) == true
            else {
                problems.append("malformed lines: \(TextParsing.quoted(names))")
                continue
            }
            let protoBytes = protocolField.dropLast()
            guard nameFields.count == valueFields.count else {
                problems.append("\(TextParsing.string(protoBytes)): \(nameFields.count - 1) names but \(valueFields.count - 1) values")
                continue
            }
            for (name, value) in zip(nameFields.dropFirst(), valueFields.dropFirst()) where wanted(protoBytes, name) {
                result.append((TextParsing.string(protoBytes) + "_" + TextParsing.string(name), value))
            }
        }
        if let truncated { problems.append("last line cut short: \(TextParsing.quoted(truncated))") }
        return Parsed(result, problems: problems)
    }

    /// `net/snmp6`: `Ip6InReceives   1234` lines; the protocol is the name up to its first `6`.
    static func parseSNMP6(_ bytes: Bytes, wanted: (Bytes, Bytes) -> Bool) -> Parsed<[(key: String, value: Bytes)]> {
        let (lines, truncated) = TextParsing.completeLines(bytes)
        var result: [(key: String, value: Bytes)] = []
        for line in lines {
            let fields = TextParsing.fields(line)
            guard fields.count >= 2, let six = fields[0].firstIndex(of: UInt8(ascii: "6")) else { continue }
            let proto = fields[0][...six], name = fields[0][(six + 1)...]
            if wanted(proto, name) { result.append((TextParsing.string(proto) + "_" + TextParsing.string(name), fields[1])) }
        }
        return Parsed(result, problems: truncated.map { ["last line cut short: \(TextParsing.quoted($0))"] } ?? [])
    }

    static func collect(_ context: CollectorContext) -> Parsed<Collected> {
        let files = context.files
        let directory = ProcNet.directory(files)
        var problems: [String] = []
        var entries: [(key: String, value: Bytes)] = []
        for file in ["netstat", "snmp"] {
            let path = "\(directory)/\(file)"
            guard let text = files.text(path, problems: &problems) else { continue }
            let parsed = parsePairs(text[...], wanted: { isDefaultField(proto: $0, name: $1) })
            entries += parsed.value
            problems += parsed.problems.prefixed(path)
        }
        // Absent where IPv6 is off.
        let snmp6 = "\(directory)/snmp6"
        if let text = files.optionalText(snmp6, problems: &problems) {
            let parsed = parseSNMP6(text[...], wanted: { isDefaultField(proto: $0, name: $1) })
            entries += parsed.value
            problems += parsed.problems.prefixed(snmp6)
        }
        var set = FamilySet()
        var seen: Set<String> = []
        for (key, value) in entries where seen.insert(key).inserted {
            guard key.utf8.allSatisfy(MetricName.isNameByte) else { continue }
            guard let number = TextParsing.signed(value) else {
                problems.append("\(key): not a number: \(TextParsing.quoted(value))")
                continue
            }
            let statistic = key.replacingFirstUnderscore()
            set.add("node_netstat_" + key, "Statistic \(statistic).", .untyped, [], Double(number))
        }
        return Parsed(Collected(set.all), problems: problems)
    }
}

extension String {
    /// `Tcp_InSegs` → `TcpInSegs` (node_exporter's help text joins protocol and field).
    fileprivate func replacingFirstUnderscore() -> String {
        guard let underscore = firstIndex(of: "_") else { return self }
        return String(self[..<underscore]) + String(self[index(after: underscore)...])
    }
}

/// node_exporter's `sockstat` collector: `net/sockstat` and `net/sockstat6` of the host's namespace →
/// `node_sockstat_<PROTO>_<state>` and `node_sockstat_sockets_used`; `mem` is in pages, so `mem_bytes` is added.
enum SockStat {
    static let states = ["inuse", "orphan", "tw", "alloc", "mem", "memory"]

    static func parse(_ bytes: Bytes) -> Parsed<[(proto: String, pairs: [(String, Int64)])]> {
        let (lines, truncated) = TextParsing.completeLines(bytes)
        var result: [(proto: String, pairs: [(String, Int64)])] = []
        var problems: [String] = []
        for line in lines where !line.isEmpty {
            let fields = TextParsing.fields(line)
            guard let first = fields.first, first.count > 1, first.last == UInt8(ascii: ":"), fields.count % 2 == 1 else {
                problems.append("malformed line: \(TextParsing.quoted(line))")
                continue
            }
            let proto = TextParsing.string(first.dropLast())
            var pairs: [(String, Int64)] = []
            var bad = false
            for index in stride(from: 1, to: fields.count, by: 2) {
                guard let value = TextParsing.signed(fields[index + 1]) else {
                    problems.append("\(proto) \(TextParsing.string(fields[index])): not a number: \(TextParsing.quoted(fields[index + 1]))")
                    bad = true
                    continue
                }
                pairs.append((TextParsing.string(fields[index]), value))
            }
            if bad && pairs.isEmpty { continue }
            result.append((proto, pairs))
        }
        if let truncated { problems.append("last line cut short: \(TextParsing.quoted(truncated))") }
        return Parsed(result, problems: problems)
    }

    static func collect(_ context: CollectorContext) -> Parsed<Collected> {
        let files = context.files
        let directory = ProcNet.directory(files)
        var problems: [String] = []
        var set = FamilySet()
        for (file, isIPv6) in [("sockstat", false), ("sockstat6", true)] {
            let path = "\(directory)/\(file)"
            guard let text = files.optionalText(path, problems: &problems) else { continue }
            let parsed = parse(text[...])
            problems += parsed.problems.prefixed(path)
            for (proto, pairs) in parsed.value {
                if proto == "sockets" {
                    if !isIPv6, let used = pairs.first(where: { $0.0 == "used" }) {
                        set.add("node_sockstat_sockets_used", "Number of IPv4 sockets in use.", .gauge, [], Double(used.1))
                    }
                    continue
                }
                guard proto.utf8.allSatisfy(MetricName.isNameByte) else { continue }
                var values = pairs.filter { states.contains($0.0) }
                if let mem = values.first(where: { $0.0 == "mem" }) {
                    values.append(("mem_bytes", mem.1 * Int64(context.kernel.pageSize)))
                }
                for (state, value) in values {
                    set.add(
                        "node_sockstat_\(proto)_\(state)", "Number of \(proto) sockets in state \(state).", .gauge, [], Double(value))
                }
            }
        }
        return Parsed(Collected(set.all), problems: problems)
    }
}

/// node_exporter's `softnet` collector: `net/softnet_stat` (one line of hex counters per CPU) →
/// `node_softnet_{processed,dropped,times_squeezed}_total{cpu}`.
enum Softnet {
    static func collect(_ context: CollectorContext) -> Parsed<Collected> {
        let path = "\(ProcNet.directory(context.files))/softnet_stat"
        var problems: [String] = []
        guard let text = context.files.text(path, problems: &problems) else { return Parsed(Collected([]), problems: problems) }
        let (lines, truncated) = TextParsing.completeLines(text[...])
        var set = FamilySet()
        for (cpu, line) in lines.prefix(HostFiles.maxEntriesPerClass).enumerated() {
            let fields = TextParsing.fields(line)
            guard fields.count >= 3, let processed = TextParsing.hex(fields[0]), let dropped = TextParsing.hex(fields[1]),
                let squeezed = TextParsing.hex(fields[2])
            else {
                problems.append("\(path): line \(cpu + 1): not hex counters: \(TextParsing.quoted(line))")
                continue
            }
            let labels = [Label(name: "cpu", value: String(cpu))]
            set.add("node_softnet_processed_total", "Number of processed packets", .counter, labels, Double(processed))
            set.add("node_softnet_dropped_total", "Number of dropped packets", .counter, labels, Double(dropped))
            set.add(
                "node_softnet_times_squeezed_total", "Number of times processing packets ran out of quota", .counter, labels,
                Double(squeezed))
        }
        if lines.count > HostFiles.maxEntriesPerClass { context.files.skipped += lines.count - HostFiles.maxEntriesPerClass }
        if let truncated { problems.append("\(path): last line cut short: \(TextParsing.quoted(truncated))") }
        return Parsed(Collected(set.all), problems: problems)
    }
}

/// node_exporter's `conntrack` collector: the connection-tracking table's size and limit, and its per-CPU
/// statistics summed. Absent (collector failed, as node_exporter's "no data") where `nf_conntrack` is not loaded.
///
/// The entries are the host namespace's: the `entries` column of `net/stat/nf_conntrack` of ``ProcNet`` (the same
/// number as `/proc/sys/net/netfilter/nf_conntrack_count`, which is the *reader's* namespace's, so a pod's), and the
/// sysctl only where that file is absent.
enum Conntrack {
    static let sysctl = "/proc/sys/net/netfilter"
    static let statistics: [(column: String, name: String, help: String)] = [
        ("found", "node_nf_conntrack_stat_found", "Number of searched entries which were successful."),
        ("invalid", "node_nf_conntrack_stat_invalid", "Number of packets seen which can not be tracked."),
        ("ignore", "node_nf_conntrack_stat_ignore", "Number of packets seen which are already connected to a conntrack entry."),
        ("insert", "node_nf_conntrack_stat_insert", "Number of entries inserted into the list."),
        ("insert_failed", "node_nf_conntrack_stat_insert_failed", "Number of entries for which list insertion was attempted but failed."),
        ("drop", "node_nf_conntrack_stat_drop", "Number of packets dropped due to conntrack failure."),
        (
            "early_drop", "node_nf_conntrack_stat_early_drop",
            "Number of dropped conntrack entries to make room for new ones, if maximum table size was reached."
        ),
        (
            "search_restart", "node_nf_conntrack_stat_search_restart",
            "Number of conntrack table lookups which had to be restarted due to hashtable resizes."
        ),
    ]

    /// The header names the columns (they changed between kernels); every row is one CPU, in hex. Returns the
    /// first row's `entries` and each column's sum.
    static func parseStat(_ bytes: Bytes) -> Parsed<(entries: UInt64?, sums: [String: UInt64])?> {
        let (lines, truncated) = TextParsing.completeLines(bytes)
        guard let header = lines.first else { return Parsed(nil, problems: ["empty"]) }
        let columns = TextParsing.fields(header).map(TextParsing.string)
        guard columns.first == "entries" else { return Parsed(nil, problems: ["unexpected header: \(TextParsing.quoted(header))"]) }
        var sums: [String: UInt64] = [:]
        var entries: UInt64?
        for line in lines.dropFirst().prefix(HostFiles.maxEntriesPerClass) {
            let fields = TextParsing.fields(line)
            let values = fields.compactMap(TextParsing.hex)
            guard fields.count == columns.count, values.count == fields.count else {
                return Parsed(nil, problems: ["malformed row: \(TextParsing.quoted(line))"])
            }
            if entries == nil { entries = values[0] }
            for (column, value) in zip(columns, values) { sums[column, default: 0] &+= value }
        }
        if let truncated { return Parsed(nil, problems: ["last line cut short: \(TextParsing.quoted(truncated))"]) }
        return Parsed((entries, sums))
    }

    static func collect(_ context: CollectorContext) -> Parsed<Collected> {
        let files = context.files
        var problems: [String] = []
        let statPath = "\(ProcNet.directory(files))/stat/nf_conntrack"
        var stat: (entries: UInt64?, sums: [String: UInt64])?
        let statText = files.optionalText(statPath, problems: &problems)
        if let text = statText {
            let parsed = parseStat(text[...])
            stat = parsed.value
            problems += parsed.problems.prefixed(statPath)
        }
        func number(_ file: String) -> UInt64? {
            let path = "\(sysctl)/\(file)"
            guard let text = files.attribute(path, problems: &problems) else { return nil }
            guard let value = TextParsing.unsigned(text) else {
                problems.append("\(path): not a number: \(TextParsing.quoted(text))")
                return nil
            }
            return value
        }
        var set = FamilySet()
        // The sysctl only where the statistics file is absent: it counts the reader's namespace.
        if let entries = statText == nil ? number("nf_conntrack_count") : stat?.entries {
            set.add(
                "node_nf_conntrack_entries", "Number of currently allocated flow entries for connection tracking.", .gauge, [],
                Double(entries))
        }
        if let limit = number("nf_conntrack_max") {
            set.add("node_nf_conntrack_entries_limit", "Maximum size of connection tracking table.", .gauge, [], Double(limit))
        }
        if let sums = stat?.sums {
            for statistic in statistics {
                if let value = sums[statistic.column] { set.add(statistic.name, statistic.help, .gauge, [], Double(value)) }
            }
        }
        return Parsed(Collected(set.all), problems: problems)
    }
}

/// node_exporter's `arp` collector: `net/arp` of the host's namespace → `node_arp_entries{device}`.
enum ARP {
    static func collect(_ context: CollectorContext) -> Parsed<Collected> {
        let path = "\(ProcNet.directory(context.files))/arp"
        var problems: [String] = []
        guard let text = context.files.text(path, problems: &problems) else { return Parsed(Collected([]), problems: problems) }
        let (lines, truncated) = TextParsing.completeLines(text[...])
        var order: [String] = []
        var counts: [String: Int] = [:]
        for line in lines where !line.isEmpty {
            let fields = TextParsing.fields(line)
            guard fields.count >= 6 else {
                return Parsed(Collected([]), problems: ["\(path): unexpected ARP table format: \(TextParsing.quoted(line))"])
            }
            if fields[0].equals("IP") { continue }
            let device = TextParsing.string(fields[fields.count - 1])
            if counts[device] == nil { order.append(device) }
            counts[device, default: 0] += 1
        }
        if let truncated { problems.append("\(path): last line cut short: \(TextParsing.quoted(truncated))") }
        var set = FamilySet()
        for device in order {
            set.add("node_arp_entries", "ARP entries by device", .gauge, ["device": device], Double(counts[device] ?? 0))
        }
        return Parsed(Collected(set.all), problems: problems)
    }
}
