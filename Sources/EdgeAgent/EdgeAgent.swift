import ArgumentParser
import CGPIOD
import GRDBSQLite

/// `edge-agent`: the node agent for household Raspberry Pi clusters.
@main
struct EdgeAgent: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "edge-agent",
        abstract: "Keeps the household's tasks and this node's metrics, offline first.",
        discussion: """
            Every option can also be set by an environment variable (shown in each command's help); \
            a flag wins over the variable, the variable over the default.
            """,
        version: versionLine,
        subcommands: [RunCommand.self, TasksCommand.self, HardwareCommand.self, StatusCommand.self, SyncCommand.self, DBCommand.self])

    /// `edge-agent 0.1.0 (sqlite 3.40.1, libgpiod 1.6.3)`
    static var versionLine: String {
        let gpiod = String(cString: gpiod_version_string())
        return "edge-agent \(version) (sqlite \(String(cString: sqlite3_libversion())), libgpiod \(gpiod))"
    }
}
