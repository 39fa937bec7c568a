import CommandLineSupport
import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif
import HouseholdTime
import LocalStore

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
    func openExistingStore() throws -> LocalStore {
        _ = try nodeName()
        let path = dataDir.hasSuffix("/") ? dataDir + LocalStore.fileName : dataDir + "/" + LocalStore.fileName
        guard access(path, F_OK) == 0 else {
            throw CLIError.configuration(
                "no database at \(path): choose the agent's data directory with --data-dir or EDGE_DATA_DIR "
                    + "(`make run` uses ./.data)")
        }
        return try openStore()
    }

    /// Opens the store, creating it if needed, turning failures into one-line errors.
    func openStore() throws -> LocalStore {
        let config = LocalStore.Configuration(nodeName: try nodeName())
        do {
            return try LocalStore(directory: dataDir, configuration: config)
        } catch {
            throw CLIError(error)
        }
    }
}

import Sync


/// `--timezone`: the household's time zone for `--due` dates and the times the CLI prints.
struct TimeZoneOptions: ParsableArguments {
    @Option(
        name: .customLong("timezone"),
        help: ArgumentHelp(
            "The household's time zone, an IANA name such as Europe/Berlin. [env: EDGE_TIMEZONE] "
                + "[default: /etc/localtime, else TZ, else UTC]",
            valueName: "zone"))
    var timezone: String?

    func zone() throws -> HouseholdTimeZone {
        do {
            return try HouseholdTimeZone.resolve(
                option: timezone,
                environment: ["EDGE_TIMEZONE", "TZ", "TZDIR"].reduce(into: [:]) { env, name in env[name] = Settings.environment(name) })
        } catch let error as HouseholdTimeZone.ResolveError {
            throw CLIError.configuration(error.description)
        }
    }
}
