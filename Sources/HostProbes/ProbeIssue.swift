/// Something a probe could not read or did not believe: the reason a metric is absent.
///
/// The reading carries these instead of logging, so the caller decides how to report them (at debug level,
/// once: see ``ProbeIssueLog``). Messages do not contain the time or anything else that changes between
/// readings, so the same problem gives the same issue every time.
public struct ProbeIssue: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The probe that noticed it, named like node_exporter's collectors (`thermal_zone`, `meminfo`, ...).
    public var probe: String
    public var message: String

    public init(probe: String, message: String) {
        self.probe = probe
        self.message = message
    }

    public var description: String { "\(probe): \(message)" }
}

/// Remembers which issues were already reported so each is logged once, not every sample interval.
public struct ProbeIssueLog: Sendable {
    private var seen: Set<ProbeIssue> = []

    public init() {}

    /// The issues in `issues` that were not returned by an earlier call.
    public mutating func firstSeen(_ issues: [ProbeIssue]) -> [ProbeIssue] {
        issues.filter { seen.insert($0).inserted }
    }
}

/// A parser's result: what it could read, and what it refused (each problem once, in input order).
public struct Parsed<Value> {
    public var value: Value
    public var problems: [String]

    public init(_ value: Value, problems: [String] = []) {
        self.value = value
        self.problems = problems
    }
}

extension Parsed: Sendable where Value: Sendable {}
extension Parsed: Equatable where Value: Equatable {}
