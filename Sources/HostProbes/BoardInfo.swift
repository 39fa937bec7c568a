/// `/proc/device-tree/{model,serial-number}` and `/proc/cpuinfo` → `edge_board_info{model,revision,serial}` 1.
public struct BoardInfo: Sendable, Hashable, Codable {
    public static let probe = "board"
    static let modelPath = "/proc/device-tree/model"
    static let serialPath = "/proc/device-tree/serial-number"
    static let cpuinfoPath = "/proc/cpuinfo"

    /// `Raspberry Pi 4 Model B Rev 1.4`.
    public var model: String?
    /// The revision code in hex: `c03114`.
    public var revision: String?
    public var serial: String?

    public init(model: String? = nil, revision: String? = nil, serial: String? = nil) {
        self.model = model
        self.revision = revision
        self.serial = serial
    }

    var isEmpty: Bool { model == nil && revision == nil && serial == nil }

    /// Parses a device-tree string property: text ending in a NUL byte. Bytes that are not UTF-8, a NUL
    /// inside, or control characters make it garbage.
    public static func parseDeviceTreeString(_ bytes: [UInt8]) -> Parsed<String?> {
        var content = bytes[...]
        while content.last == 0 { content = content.dropLast() }
        guard let text = String(validating: content, as: UTF8.self) else {
            return Parsed(nil, problems: ["not valid UTF-8"])
        }
        guard !text.isEmpty else { return Parsed(nil, problems: ["empty"]) }
        guard !text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            return Parsed(nil, problems: ["contains control characters: \(TextParsing.quoted(text))"])
        }
        return Parsed(text)
    }

    /// Parses the `Revision`, `Serial` and `Model` lines the Raspberry Pi kernel adds to `/proc/cpuinfo`.
    public static func parseCPUInfo(_ text: String) -> Parsed<BoardInfo> {
        var problems: [String] = []
        var info = BoardInfo()
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: " \t")
            let value = String(line[line.index(after: colon)...].trimmingCharacters(in: " \t"))
            switch key {
            case "Revision":
                if value.count <= 16, !value.isEmpty, value.allSatisfy(\.isHexDigit) {
                    info.revision = value.lowercased()
                } else {
                    problems.append("Revision: not a revision code: \(TextParsing.quoted(value))")
                }
            case "Serial":
                if value.count <= 32, !value.isEmpty, value.allSatisfy(\.isHexDigit) {
                    info.serial = value.lowercased()
                } else {
                    problems.append("Serial: not a serial number: \(TextParsing.quoted(value))")
                }
            case "Model":
                if !value.isEmpty, !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                    info.model = value
                } else {
                    problems.append("Model: unusable: \(TextParsing.quoted(value))")
                }
            default:
                continue
            }
        }
        return Parsed(info, problems: problems)
    }

    static let keptKey = "board"

    /// Reads the board once: it cannot change while the host runs. A read with a problem is kept only for the
    /// cache period, so a source that was not ready yet is read again.
    static func read(from files: HostFiles) -> Parsed<BoardInfo?> {
        if let kept = files.recall(keptKey, as: Parsed<BoardInfo?>.self) { return kept }
        let parsed = read(from: files.root)
        files.keep(parsed, as: keptKey, for: parsed.problems.isEmpty ? .run : .period)
        return parsed
    }

    /// The device tree first, `/proc/cpuinfo` for what it lacks (the revision is only there).
    public static func read(from root: HostRoot) -> Parsed<BoardInfo?> {
        var problems: [String] = []
        var cpuinfo = BoardInfo()
        do {
            let parsed = parseCPUInfo(try root.readText(cpuinfoPath))
            cpuinfo = parsed.value
            problems += parsed.problems.prefixed(cpuinfoPath)
        } catch {
            problems.append(error.description)
        }
        func deviceTree(_ path: String) -> String? {
            do {
                let parsed = parseDeviceTreeString(try root.readFile(path))
                problems += parsed.problems.prefixed(path)
                return parsed.value
            } catch  where error.isNotFound {
                return nil  // no device tree (a VM): cpuinfo is the only source
            } catch {
                problems.append(error.description)
                return nil
            }
        }
        let info = BoardInfo(
            model: deviceTree(modelPath) ?? cpuinfo.model,
            revision: cpuinfo.revision,
            serial: deviceTree(serialPath)?.lowercased() ?? cpuinfo.serial)
        if info.isEmpty { problems.append("no board model, revision or serial number found") }
        return Parsed(info.isEmpty ? nil : info, problems: problems)
    }

    static func metricFamilies(_ board: BoardInfo?) -> [MetricFamily] {
        [
            MetricFamily(
                name: "edge_board_info",
                help: "Board model, revision code and serial number (empty when unknown); the value is always 1.",
                type: .gauge,
                samples: board.map {
                    [Sample(["model": $0.model ?? "", "revision": $0.revision ?? "", "serial": $0.serial ?? ""], value: 1)]
                } ?? [])
        ]
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: String) -> Substring {
        var text = self
        while let first = text.first, set.contains(first) { text = text.dropFirst() }
        while let last = text.last, set.contains(last) { text = text.dropLast() }
        return text
    }
}
