import ArgumentParser
import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// `--log-format text|json` and `--log-level`; logs go to standard error, where journald and
/// Kubernetes collect them.
public struct LogOptions: ParsableArguments {
    public init() {}

    @Option(name: .customLong("log-format"), help: ArgumentHelp("text or json. [env: EDGE_LOG_FORMAT] [default: text]", valueName: "format"))
    public var formatFlag: String?

    @Option(
        name: .customLong("log-level"),
        help: ArgumentHelp(
            "trace, debug, info, notice, warning, error or critical. [env: EDGE_LOG_LEVEL] [default: info]", valueName: "level"))
    public var levelFlag: String?

    public enum Format: String, Sendable { case text, json }

    public func resolved() throws -> (Format, Logger.Level) {
        let formatText = Settings.resolve(flag: formatFlag, env: "EDGE_LOG_FORMAT") { "text" }
        guard let format = Format(rawValue: formatText) else {
            throw ConfigurationError("--log-format / EDGE_LOG_FORMAT: \"\(formatText.prefix(40))\" is not text or json")
        }
        let levelText = Settings.resolve(flag: levelFlag, env: "EDGE_LOG_LEVEL") { "info" }
        guard let level = Logger.Level(rawValue: levelText) else {
            throw ConfigurationError(
                "--log-level / EDGE_LOG_LEVEL: \"\(levelText.prefix(40))\" is not one of trace, debug, info, notice, warning, error, critical")
        }
        return (format, level)
    }

    /// Installs the process-wide log handler. Call once, before anything logs.
    public func bootstrap() throws {
        let (format, level) = try resolved()
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler =
                switch format {
                case .text: StreamLogHandler.standardError(label: label)
                case .json: JSONLogHandler(label: label)
                }
            handler.logLevel = level
            return handler
        }
    }
}
