/// node_exporter's `os` collector: `etc/os-release` (else `usr/lib/os-release`) under the root filesystem →
/// `node_os_info{...}` 1 and `node_os_version{id,id_like,name}`.
public enum OSRelease {
    static let paths = ["/etc/os-release", "/usr/lib/os-release"]
    static let keys = [
        ("build_id", "BUILD_ID"), ("id", "ID"), ("id_like", "ID_LIKE"), ("image_id", "IMAGE_ID"), ("image_version", "IMAGE_VERSION"),
        ("name", "NAME"), ("pretty_name", "PRETTY_NAME"), ("variant", "VARIANT"), ("variant_id", "VARIANT_ID"),
        ("version", "VERSION"), ("version_codename", "VERSION_CODENAME"), ("version_id", "VERSION_ID"),
    ]

    /// Parses os-release(5): `KEY=value` lines, values unquoted, in double quotes (with `\"`, `\\`, `\$`, `` \` ``
    /// escapes) or in single quotes; blank lines and `#` comments. A line that is none of these refuses the whole
    /// file, as node_exporter does.
    public static func parse(_ text: String) -> Parsed<[String: String]?> {
        var values: [String: String] = [:]
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = rawLine.drop { $0 == " " || $0 == "\t" }
            while let last = line.last, last == " " || last == "\t" || last == "\r" { line = line.dropLast() }
            if line.isEmpty || line.first == "#" { continue }
            if line.hasPrefix("export ") { line = line.dropFirst(7).drop { $0 == " " } }
            guard let equals = line.firstIndex(of: "="), isKey(line[..<equals]) else {
                return Parsed(nil, problems: ["line \(number + 1): not KEY=value: \(TextParsing.quoted(line))"])
            }
            guard let value = unquote(line[line.index(after: equals)...]) else {
                return Parsed(nil, problems: ["line \(number + 1): malformed value: \(TextParsing.quoted(line))"])
            }
            values[String(line[..<equals])] = value
        }
        return Parsed(values)
    }

    static func isKey(_ text: Substring) -> Bool {
        guard let first = text.utf8.first, !TextParsing.isDigit(first) else { return false }
        return text.utf8.allSatisfy { TextParsing.isDigit($0) || ($0 | 0x20 >= 0x61 && $0 | 0x20 <= 0x7A) || $0 == 0x5F }
    }

    /// The value after `=`, unquoted, or nil when it is malformed (an unterminated quote, text after the closing one).
    static func unquote(_ raw: Substring) -> String? {
        var result = ""
        var index = raw.startIndex
        var quote: Character? = nil
        while index < raw.endIndex {
            let character = raw[index]
            index = raw.index(after: index)
            switch (quote, character) {
            case (nil, "\""), (nil, "'"):
                quote = character
            case ("\"", "\""), ("'", "'"):
                quote = nil
                // Only blanks or a comment may follow a closing quote.
                let rest = raw[index...].drop { $0 == " " || $0 == "\t" }
                if !rest.isEmpty, rest.first != "#" { return nil }
                return result
            case ("'", _):
                result.append(character)
            case (_, "\\"):
                guard index < raw.endIndex else { return nil }
                result.append(raw[index])
                index = raw.index(after: index)
            case (nil, " "), (nil, "\t"), (nil, "#"):
                let rest = raw[raw.index(before: index)...].drop { $0 == " " || $0 == "\t" }
                return rest.isEmpty || rest.first == "#" ? result : nil
            default:
                result.append(character)
            }
        }
        return quote == nil ? result : nil
    }

    /// node_exporter's `^[0-9]+\.?[0-9]*` of `VERSION_ID` as a number (`12` for Debian 12, `24.04`).
    static func version(_ versionID: String) -> Double? {
        var digits = ""
        var sawPoint = false
        for character in versionID {
            if character.isASCII, character.isNumber {
                digits.append(character)
            } else if character == ".", !sawPoint, !digits.isEmpty {
                sawPoint = true
                digits.append(character)
            } else {
                break
            }
        }
        if digits.hasSuffix(".") { digits.removeLast() }
        guard !digits.isEmpty, let value = Double(digits), value.isFinite else { return nil }
        return value
    }

    static let keptKey = "os.release"

    /// Read again after the cache period (node_exporter rereads it when its mtime changes): it changes with an
    /// upgrade, not between scrapes.
    static func collect(_ context: CollectorContext) -> Parsed<Collected> {
        if let kept = context.files.recall(keptKey, as: Parsed<Collected>.self) { return kept }
        let result = read(context)
        context.files.keep(result, as: keptKey, for: .period)
        return result
    }

    static func read(_ context: CollectorContext) -> Parsed<Collected> {
        var problems: [String] = []
        var text: String?
        for path in paths {
            do {
                text = try context.rootfs.readText(path)
                problems = []
                break
            } catch {
                problems.append(error.description)
                if !error.isNotFound { break }
            }
        }
        guard let text else { return Parsed(Collected([]), problems: problems) }
        let parsed = parse(text)
        guard let values = parsed.value else { return Parsed(Collected([]), problems: parsed.problems) }
        var set = FamilySet()
        set.add(
            "node_os_info",
            "A metric with a constant '1' value labeled by build_id, id, id_like, image_id, image_version, name, pretty_name, variant, variant_id, version, version_codename, version_id.",
            .gauge, keys.map { Label(name: $0.0, value: values[$0.1] ?? "") }, 1)
        if let version = values["VERSION_ID"].flatMap(version), version > 0 {
            set.add(
                "node_os_version", "Metric containing the major.minor part of the OS version.", .gauge,
                ["id": values["ID"] ?? "", "id_like": values["ID_LIKE"] ?? "", "name": values["NAME"] ?? ""], version)
        }
        return Parsed(Collected(set.all))
    }
}
