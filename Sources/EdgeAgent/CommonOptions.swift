import ArgumentParser
import CommandLineSupport
import HouseholdTime
import LocalStore
import Sync

#if canImport(Glibc)
    import Glibc
#endif

/// Options every command that touches the database shares: where it is and who we are.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .customLong("data-dir"),
        help: ArgumentHelp(
            "Directory holding agent.db. [env: EDGE_DATA_DIR] [default: $STATE_DIRECTORY, else /var/lib/edge-agent]",
            valueName: "dir"))
    var dataDirFlag: String?

    @Option(
        name: .customLong("node-name"),
        help: ArgumentHelp("This node's name. [env: EDGE_NODE_NAME] [default: the host name]", valueName: "name"))
    var nodeNameFlag: String?

    var dataDir: String {
        Settings.resolve(flag: dataDirFlag, env: "EDGE_DATA_DIR") {
            if let state = Settings.environment("STATE_DIRECTORY"), !state.isEmpty {
                // systemd passes one path per StateDirectory=, separated by colons.
                return String(state.split(separator: ":").first ?? Substring(state))
            }
            return "/var/lib/edge-agent"
        }
    }

    func nodeName() throws -> String {
        let name = Settings.resolve(flag: nodeNameFlag, env: "EDGE_NODE_NAME") { Settings.hostName() }
        guard Sync.NodeName.isValid(name) else {
            throw CLIError.configuration(
                "--node-name / EDGE_NODE_NAME: \"\(name.prefix(64))\" is not a valid node name "
                    + "(1-253 letters, digits, '-', '_' or '.')")
        }
        return name
    }

    /// Opens the store for a command that only reads (`tasks list|show`, `status`, `db
    /// check|backup`, `sync quarantine list`): a missing database is a one-line error naming
    /// the path (exit 2), never a new empty database somewhere the user did not mean.
    func openExistingStore(zone: HouseholdTimeZone = .utc) throws -> LocalStore {
        _ = try nodeName()
        let path = dataDir.hasSuffix("/") ? dataDir + LocalStore.fileName : dataDir + "/" + LocalStore.fileName
        guard access(path, F_OK) == 0 else {
            throw CLIError.configuration(
                "no database at \(path): choose the agent's data directory with --data-dir or EDGE_DATA_DIR "
                    + "(`make run` uses ./.data)")
        }
        return try openStore(zone: zone)
    }

    /// Opens the store, creating it if needed, turning failures into one-line errors. `zone`
    /// is where a recurring chore completed through it has its next local date.
    func openStore(zone: HouseholdTimeZone = .utc) throws -> LocalStore {
        var config = LocalStore.Configuration(nodeName: try nodeName())
        config.timeZone = zone
        do {
            return try LocalStore(directory: dataDir, configuration: config)
        } catch {
            throw CLIError(error)
        }
    }
}
