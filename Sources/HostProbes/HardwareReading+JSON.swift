#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The reading as one JSON object a person can read (`GET /v1/node`, `edge-agent hw --format json`).
/// Keys are snake_case; absent values are left out rather than written as null or 0.
public struct HardwareReport: Sendable, Hashable, Encodable {
    public struct Load: Sendable, Hashable, Encodable {
        public var load1: Double?
        public var load5: Double?
        public var load15: Double?
    }

    public struct Conditions: Sendable, Hashable, Encodable {
        public var underVoltage: Bool
        public var armFreqCapped: Bool
        public var throttled: Bool
        public var softTempLimit: Bool
    }

    public struct ThrottlingState: Sendable, Hashable, Encodable {
        /// As the firmware reports it, with `0x`: `0x50005`.
        public var raw: String
        public var now: Conditions
        public var sinceBoot: Conditions
    }

    public struct Temperature: Sendable, Hashable, Encodable {
        public var zone: String
        public var type: String
        public var celsius: Double
    }

    public struct CPU: Sendable, Hashable, Encodable {
        public var cpu: String
        public var frequencyHertz: Double?
        /// Seconds spent per mode since boot.
        public var seconds: [String: Double]?
    }

    public struct Memory: Sendable, Hashable, Encodable {
        public var totalBytes: UInt64?
        public var availableBytes: UInt64?
        public var freeBytes: UInt64?
        public var buffersBytes: UInt64?
        public var cachedBytes: UInt64?
        public var swapTotalBytes: UInt64?
        public var swapFreeBytes: UInt64?
    }

    public var node: String?
    public var takenAt: Date?
    public var board: BoardInfo?
    public var clockSynchronized: Bool?
    public var bootTimeSeconds: Double?
    public var load: Load?
    public var temperatures: [Temperature]
    public var throttling: ThrottlingState?
    public var underVoltageAlarm: Bool?
    public var fans: [Fan]
    public var cpus: [CPU]
    public var memory: Memory?
    public var filesystems: [FilesystemUsage]
    public var network: [NetworkInterface]
    public var disks: [DiskStat]
    public var gpio: [GPIOLineValue]
    public var issues: [ProbeIssue]

    public init(_ reading: HardwareReading, node: String? = nil, takenAt: Date? = nil) {
        self.node = node
        self.takenAt = takenAt
        board = reading.board
        clockSynchronized = reading.clockSynchronized
        bootTimeSeconds = reading.bootTimeSeconds
        load = reading.load.map { Load(load1: $0.load1, load5: $0.load5, load15: $0.load15) }
        temperatures = reading.thermalZones.map { Temperature(zone: $0.zone, type: $0.type, celsius: $0.celsius) }
        throttling = reading.throttling.map { state in
            func conditions(sinceBoot: Bool) -> Conditions {
                func active(_ name: String) -> Bool { state.isActive(name, sinceBoot: sinceBoot) ?? false }
                return Conditions(
                    underVoltage: active("under_voltage"), armFreqCapped: active("arm_freq_capped"),
                    throttled: active("throttled"), softTempLimit: active("soft_temp_limit"))
            }
            return ThrottlingState(
                raw: "0x" + String(state.raw, radix: 16), now: conditions(sinceBoot: false),
                sinceBoot: conditions(sinceBoot: true))
        }
        underVoltageAlarm = reading.underVoltageAlarm
        fans = reading.fans
        let cpuNumbers = Set(reading.cpuTimes.map(\.cpu)).union(reading.cpuFrequencies.map(\.cpu)).sorted {
            (Int($0) ?? .max, $0) < (Int($1) ?? .max, $1)
        }
        cpus = cpuNumbers.map { cpu in
            CPU(
                cpu: cpu, frequencyHertz: reading.cpuFrequencies.first { $0.cpu == cpu }?.hertz,
                seconds: reading.cpuTimes.first { $0.cpu == cpu }?.seconds)
        }
        memory = reading.memory.map { info in
            Memory(
                totalBytes: info["MemTotal"], availableBytes: info["MemAvailable"], freeBytes: info["MemFree"],
                buffersBytes: info["Buffers"], cachedBytes: info["Cached"], swapTotalBytes: info["SwapTotal"],
                swapFreeBytes: info["SwapFree"])
        }
        filesystems = reading.filesystems
        network = reading.networkInterfaces
        disks = reading.disks
        gpio = reading.gpioLines
        issues = reading.issues
    }
}

extension HardwareReading {
    /// Pretty-printed JSON of ``HardwareReport``, keys sorted so the output is stable.
    public func jsonData(node: String? = nil, takenAt: Date? = nil) throws -> Data {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(HardwareReport(self, node: node, takenAt: takenAt))
    }

    public func json(node: String? = nil, takenAt: Date? = nil) throws -> String {
        String(decoding: try jsonData(node: node, takenAt: takenAt), as: UTF8.self)
    }
}
