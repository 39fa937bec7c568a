/// Strict number and line parsing shared by the probes: garbage is refused, never read as 0.
enum TextParsing {
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

extension TextParsing {
    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}

/// A file, a line or a field as bytes. Kernel tables are split on bytes, as the kernel writes them and
/// node_exporter reads them: splitting a `String` into `Character`s cost more than the rest of a reading.
typealias Bytes = ArraySlice<UInt8>

extension TextParsing {
    static let newline = UInt8(ascii: "\n")

    /// True when `bytes` are UTF-8 (the check `readText` makes), ASCII taking the fast path.
    static func isUTF8(_ bytes: [UInt8]) -> Bool {
        if bytes.allSatisfy({ $0 < 0x80 }) { return true }
        return String(validating: bytes, as: UTF8.self) != nil
    }

    /// The newline-terminated lines of a kernel table. A last line without its newline means the file was
    /// cut short (its value may be cut too: `MemAvailable: 12` of `123456 kB`), so it is returned apart.
    static func completeLines(_ bytes: Bytes) -> (lines: [Bytes], truncated: Bytes?) {
        var lines: [Bytes] = []
        var start = bytes.startIndex
        var index = start
        while index < bytes.endIndex {
            if bytes[index] == newline {
                lines.append(bytes[start..<index])
                start = index + 1
            }
            index += 1
        }
        return (lines, start < bytes.endIndex ? bytes[start...] : nil)
    }

    /// Fields separated by spaces or tabs.
    static func fields(_ line: Bytes) -> [Bytes] { Array(Fields(line)) }

    /// Fields separated by spaces or tabs, one at a time, without an array.
    struct Fields: Sequence, IteratorProtocol {
        var rest: Bytes
        init(_ line: Bytes) { rest = line }

        mutating func next() -> Bytes? {
            var start = rest.startIndex
            while start < rest.endIndex, TextParsing.isBlank(rest[start]) { start += 1 }
            guard start < rest.endIndex else {
                rest = rest[rest.endIndex...]
                return nil
            }
            var end = start
            while end < rest.endIndex, !TextParsing.isBlank(rest[end]) { end += 1 }
            defer { rest = rest[end...] }
            return rest[start..<end]
        }
    }

    static func isBlank(_ byte: UInt8) -> Bool { byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }

    /// A base-10 unsigned integer: digits only.
    static func unsigned(_ bytes: Bytes) -> UInt64? {
        guard !bytes.isEmpty else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            guard isDigit(byte) else { return nil }
            let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, carry) = shifted.addingReportingOverflow(UInt64(byte &- UInt8(ascii: "0")))
            if overflow || carry { return nil }
            value = sum
        }
        return value
    }

    /// A plain decimal like `0.52`.
    static func decimal(_ bytes: Bytes) -> Double? { decimal(string(bytes)) }

    /// Bytes quoted for a problem message (valid UTF-8: files are checked when read).
    static func quoted(_ bytes: Bytes) -> String { quoted(string(bytes)) }

    static func string(_ bytes: Bytes) -> String { String(decoding: bytes, as: UTF8.self) }

    /// Bytes of a string, for the public `parse(_ text: String)` entry points.
    static func bytes(_ text: String) -> Bytes { Array(text.utf8)[...] }
}

extension ArraySlice<UInt8> {
    /// True when the bytes are exactly `text`'s UTF-8.
    func equals(_ text: StaticString) -> Bool {
        text.withUTF8Buffer { elementsEqual($0) }
    }

    func hasPrefix(_ text: StaticString) -> Bool {
        text.withUTF8Buffer { prefix in count >= prefix.count && self.prefix(prefix.count).elementsEqual(prefix) }
    }

    func firstIndex(ofASCII character: Unicode.Scalar) -> Int? {
        firstIndex(of: UInt8(ascii: character))
    }
}
