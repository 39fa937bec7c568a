/// Strict number and line parsing shared by the probes: garbage is refused, never read as 0.
enum TextParsing {
    /// The newline-terminated lines of a kernel table. A last line without its newline means the file was
    /// cut short (its value may be cut too: `MemAvailable: 12` of `123456 kB`), so it is returned apart.
    static func completeLines(_ text: String) -> (lines: [Substring], truncated: Substring?) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var truncated: Substring?
        if let last = lines.popLast(), !last.isEmpty {
            truncated = last
        }
        return (lines, truncated)
    }

    /// Fields separated by spaces or tabs.
    static func fields<S: StringProtocol>(_ line: S) -> [Substring] {
        line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { Substring($0) }
    }

    /// A base-10 unsigned integer: digits only.
    static func unsigned<S: StringProtocol>(_ text: S) -> UInt64? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return UInt64(text, radix: 10)
    }

    /// A base-10 integer with an optional leading minus.
    static func signed<S: StringProtocol>(_ text: S) -> Int64? {
        var digits = Substring(text)
        let negative = digits.first == "-"
        if negative { digits = digits.dropFirst() }
        guard let magnitude = unsigned(digits), magnitude <= UInt64(Int64.max) else { return nil }
        return negative ? -Int64(magnitude) : Int64(magnitude)
    }

    /// A plain decimal like `0.52`: digits with at most one point. No signs, exponents, `nan` or `inf`.
    static func decimal<S: StringProtocol>(_ text: S) -> Double? {
        var sawDigit = false
        var sawPoint = false
        for byte in text.utf8 {
            switch byte {
            case 0x30...0x39: sawDigit = true
            case 0x2E where !sawPoint: sawPoint = true
            default: return nil
            }
        }
        guard sawDigit, let value = Double(String(text)), value.isFinite else { return nil }
        return value
    }

    /// Quotes a value for a problem message, shortened so a huge garbage file does not make a huge log line.
    static func quoted<S: StringProtocol>(_ text: S) -> String {
        let limit = 40
        var shown = String(text.prefix(limit))
        if text.count > limit { shown += "…" }
        var escaped = ""
        for scalar in shown.unicodeScalars {
            switch scalar {
            case "\"": escaped += "\\\""
            case "\\": escaped += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F:
                escaped += "\\u{\(String(scalar.value, radix: 16))}"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return "\"" + escaped + "\""
    }
}

extension String {
    /// The string without trailing NUL bytes and whitespace (device-tree strings end in NUL).
    func trimmingTrailingNulsAndWhitespace() -> String {
        var text = Substring(self)
        while let last = text.last, last == "\0" || last == "\n" || last == " " || last == "\t" {
            text = text.dropLast()
        }
        return String(text)
    }
}
