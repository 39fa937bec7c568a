/// One GPIO line to watch, from configuration: `chip=pinctrl-bcm2711,line=17,name=door`.
///
/// Chips are numbered differently on a Pi 4 and a Pi 5 and between kernels, so `chip` is matched against
/// both the chip's label (`pinctrl-bcm2711`, `pinctrl-rp1`) and its name (`gpiochip0`); `line` is an offset
/// (`17`) or a line name (`GPIO17`).
public struct GPIOLineSpec: Sendable, Hashable, Codable, CustomStringConvertible {
    public enum Line: Sendable, Hashable, Codable, CustomStringConvertible {
        case offset(UInt32)
        case name(String)

        public var description: String {
            switch self {
            case .offset(let offset): String(offset)
            case .name(let name): name
            }
        }
    }

    /// A chip label or name, as configured.
    public var chip: String
    public var line: Line
    /// What the line is for (`door`); defaults to the line as written.
    public var name: String

    public init(chip: String, line: Line, name: String? = nil) {
        self.chip = chip
        self.line = line
        self.name = name ?? line.description
    }

    public var description: String { "chip=\(chip),line=\(line),name=\(name)" }

    /// Parses `chip=...,line=...[,name=...]`, keys in any order.
    public static func parse(_ text: String) throws(GPIOLineSpecError) -> GPIOLineSpec {
        var values: [String: String] = [:]
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = part.trimmingSpaces()
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw GPIOLineSpecError(spec: text, reason: "expected key=value, found \(TextParsing.quoted(trimmed))")
            }
            let key = String(trimmed[..<equals].trimmingSpaces())
            let value = String(trimmed[trimmed.index(after: equals)...].trimmingSpaces())
            guard ["chip", "line", "name"].contains(key) else {
                throw GPIOLineSpecError(spec: text, reason: "unknown key \(TextParsing.quoted(key)) (use chip, line, name)")
            }
            guard values[key] == nil else { throw GPIOLineSpecError(spec: text, reason: "\(key) given twice") }
            guard !value.isEmpty else { throw GPIOLineSpecError(spec: text, reason: "\(key) is empty") }
            guard !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                throw GPIOLineSpecError(spec: text, reason: "\(key) contains control characters")
            }
            values[key] = value
        }
        guard let chip = values["chip"] else { throw GPIOLineSpecError(spec: text, reason: "chip is missing") }
        guard let lineText = values["line"] else { throw GPIOLineSpecError(spec: text, reason: "line is missing") }
        let line: Line
        if lineText.allSatisfy(\.isASCIIDigit) {
            guard let offset = UInt32(lineText), offset < 65536 else {
                throw GPIOLineSpecError(spec: text, reason: "line offset \(lineText) is too large")
            }
            line = .offset(offset)
        } else {
            line = .name(lineText)
        }
        return GPIOLineSpec(chip: chip, line: line, name: values["name"])
    }

    /// Parses several specs separated by `;` or newlines. Two lines with the same name are an error.
    public static func parseList(_ text: String) throws(GPIOLineSpecError) -> [GPIOLineSpec] {
        var specs: [GPIOLineSpec] = []
        for part in text.split(whereSeparator: { $0 == ";" || $0 == "\n" }) {
            let trimmed = part.trimmingSpaces()
            if trimmed.isEmpty { continue }
            let spec = try parse(String(trimmed))
            if specs.contains(where: { $0.name == spec.name }) {
                throw GPIOLineSpecError(spec: String(trimmed), reason: "another line is already named \(TextParsing.quoted(spec.name))")
            }
            specs.append(spec)
        }
        return specs
    }
}

public struct GPIOLineSpecError: Error, Sendable, Hashable, CustomStringConvertible {
    public var spec: String
    public var reason: String
    public var description: String { "invalid GPIO line \(TextParsing.quoted(spec)): \(reason)" }
}

public struct GPIOReadError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The seam in front of libgpiod: reads the current value of configured lines.
///
/// The real implementation lives with the libgpiod binding. It resolves each spec's chip by label or name
/// and its line by offset or name, and reports a line it cannot find or read as a failure for that line only.
public protocol GPIOReader: Sendable {
    /// One result per requested line: its value (0 or 1), or why it could not be read.
    func read(_ lines: [GPIOLineSpec]) -> [GPIOLineSpec: Result<Int, GPIOReadError>]
}

/// For hosts without GPIO: every line fails.
public struct UnavailableGPIOReader: GPIOReader {
    public init() {}
    public func read(_ lines: [GPIOLineSpec]) -> [GPIOLineSpec: Result<Int, GPIOReadError>] {
        Dictionary(uniqueKeysWithValues: lines.map { ($0, .failure(GPIOReadError("GPIO is not available on this host"))) })
    }
}

/// Test double: values by line name (`["door": 1]`). A line it does not know fails, so a test notices.
public struct FakeGPIOReader: GPIOReader {
    public var values: [String: Int]
    public init(_ values: [String: Int]) { self.values = values }

    public func read(_ lines: [GPIOLineSpec]) -> [GPIOLineSpec: Result<Int, GPIOReadError>] {
        Dictionary(
            uniqueKeysWithValues: lines.map { line in
                (line, values[line.name].map { .success($0) } ?? .failure(GPIOReadError("FakeGPIOReader has no value for \(line.name)")))
            })
    }
}

/// The value of one configured line → `edge_gpio_line_value{chip,line,name}`.
public struct GPIOLineValue: Sendable, Hashable, Codable {
    public static let probe = "gpio"

    public var chip: String
    public var line: String
    public var name: String
    public var value: Int

    public init(chip: String, line: String, name: String, value: Int) {
        self.chip = chip
        self.line = line
        self.name = name
        self.value = value
    }

    public static func read(_ specs: [GPIOLineSpec], using reader: any GPIOReader) -> Parsed<[GPIOLineValue]> {
        guard !specs.isEmpty else { return Parsed([]) }
        let results = reader.read(specs)
        var problems: [String] = []
        var values: [GPIOLineValue] = []
        for spec in specs {
            switch results[spec] {
            case .success(let value) where value == 0 || value == 1:
                values.append(GPIOLineValue(chip: spec.chip, line: spec.line.description, name: spec.name, value: value))
            case .success(let value):
                problems.append("\(spec): value \(value) is not 0 or 1")
            case .failure(let error):
                problems.append("\(spec): \(error)")
            case nil:
                problems.append("\(spec): no result from the GPIO reader")
            }
        }
        return Parsed(values, problems: problems)
    }

    static func metricFamilies(_ lines: [GPIOLineValue]) -> [MetricFamily] {
        [
            MetricFamily(
                name: "edge_gpio_line_value", help: "Value of a configured GPIO line (0 or 1).", type: .gauge,
                samples: lines.map { Sample(["chip": $0.chip, "line": $0.line, "name": $0.name], value: Double($0.value)) })
        ]
    }
}

extension StringProtocol {
    fileprivate func trimmingSpaces() -> SubSequence {
        var text = self[...]
        while text.first?.isWhitespace == true { text = text.dropFirst() }
        while text.last?.isWhitespace == true { text = text.dropLast() }
        return text
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
