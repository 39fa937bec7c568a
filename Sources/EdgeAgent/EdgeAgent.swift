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

    /// node_exporter's switches are `--collector.NAME` and `--no-collector.NAME`, one flag per name; the argument
    /// parser takes only fixed names, so they are rewritten to `--collector NAME` / `--no-collector NAME` first.
    static func main() async {
        await main(rewritingCollectorSwitches(Array(CommandLine.arguments.dropFirst())))
    }

    static func rewritingCollectorSwitches(_ arguments: [String]) -> [String] {
        var result: [String] = []
        result.reserveCapacity(arguments.count)
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            if argument == "--" {
                result.append(argument)
                result += rest
                break
            }
            if argument.hasPrefix("--collector."), argument.count > 12 {
                result += ["--collector", String(argument.dropFirst(12))]
            } else if argument.hasPrefix("--no-collector."), argument.count > 15 {
                result += ["--no-collector", String(argument.dropFirst(15))]
            } else {
                result.append(argument)
            }
        }
        return result
    }

    /// `edge-agent 0.1.0 (sqlite 3.40.1, libgpiod 1.6.3)`
    static var versionLine: String {
        let gpiod = String(cString: gpiod_version_string())
        return "edge-agent \(version) (sqlite \(String(cString: sqlite3_libversion())), libgpiod \(gpiod))"
    }
}
