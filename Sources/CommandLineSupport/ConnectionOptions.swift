import ArgumentParser
import ConnectionLimits
import Sync

/// `--header-timeout`, `--idle-timeout` and `--max-connections`, shared by `edge-agent run`
/// and `edge-central serve`; their environment variables take the binary's prefix
/// (`EDGE_` or `EDGE_CENTRAL_`).
public struct ConnectionOptions: ParsableArguments {
    public init() {}

    @Option(
        name: .customLong("header-timeout"),
        help: ArgumentHelp(
            "Time a client has to send a request head, from connecting or from the first byte of its next request. "
                + "[env: EDGE_HEADER_TIMEOUT, central: EDGE_CENTRAL_HEADER_TIMEOUT] [default: 10s]", valueName: "duration"))
    public var headerTimeoutFlag: String?

    @Option(
        name: .customLong("idle-timeout"),
        help: ArgumentHelp(
            "Time a kept-alive connection may wait for its next request. "
                + "[env: EDGE_IDLE_TIMEOUT, central: EDGE_CENTRAL_IDLE_TIMEOUT] [default: 60s]", valueName: "duration"))
    public var idleTimeoutFlag: String?

    @Option(
        name: .customLong("max-connections"),
        help: ArgumentHelp(
            "Connections open at once. At the cap a new connection evicts the oldest one that has not sent a complete "
                + "request, else the oldest idle keep-alive one; when all are in a request it is closed at once. "
                + "Always kept below the open-file limit. "
                + "[env: EDGE_MAX_CONNECTIONS, central: EDGE_CENTRAL_MAX_CONNECTIONS] [default: 256, central: 4096]", valueName: "n"))
    public var maxConnectionsFlag: String?

    /// The configured limits; `prefix` is `EDGE_` or `EDGE_CENTRAL_`. The agent's default cap
    /// is 256 (each open connection costs about 15-20 KB of memory on a Pi), central's 4096.
    public func limits(envPrefix prefix: String, defaultMaxConnections: Int) throws -> ConnectionLimits {
        func duration(_ flag: String?, _ name: String, _ option: String, _ fallback: String) throws -> Duration {
            let text = Settings.resolve(flag: flag, env: prefix + name) { fallback }
            guard let millis = DurationText.parseMillis(text), millis > 0 else {
                throw ConfigurationError("--\(option) / \(prefix)\(name): \"\(text.prefix(40))\" is not a positive duration such as 10s or 500ms")
            }
            return .milliseconds(millis)
        }
        let header = try duration(headerTimeoutFlag, "HEADER_TIMEOUT", "header-timeout", "10s")
        let idle = try duration(idleTimeoutFlag, "IDLE_TIMEOUT", "idle-timeout", "60s")
        let maxText = Settings.resolve(flag: maxConnectionsFlag, env: prefix + "MAX_CONNECTIONS") { String(defaultMaxConnections) }
        guard let max = Int(maxText), max >= 1, max <= 1_000_000 else {
            throw ConfigurationError("--max-connections / \(prefix)MAX_CONNECTIONS: \"\(maxText.prefix(40))\" is not a number from 1 to 1000000")
        }
        return ConnectionLimits(headerTimeout: header, idleTimeout: idle, maxConnections: max)
    }
}
