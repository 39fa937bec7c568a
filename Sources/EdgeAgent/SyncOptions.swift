import ArgumentParser
import CommandLineSupport
import LocalStore
import Logging
import Sync
import SyncAgent

#if canImport(Glibc)
    import Glibc
#endif

/// `--central-url`, `--central-token-file`, `--central-ca-file`, `--sync-interval`
/// (README.md, "Configuration"). Without a central URL the agent is standalone and sends nothing.
struct SyncOptions: ParsableArguments {
    @Option(
        name: .customLong("central-url"),
        help: ArgumentHelp(
            "Base URL of edge-central, e.g. https://central.home.arpa. [env: EDGE_CENTRAL_URL] [default: none, standalone]",
            valueName: "url"))
    var centralURLFlag: String?

    @Option(
        name: .customLong("central-token-file"),
        help: ArgumentHelp(
            "File holding this node's token from `edge-central nodes add`; re-read when it changes. While it is missing, "
                + "empty or unreadable the agent runs and records locally, and sync shows state no_credential. "
                + "[env: EDGE_CENTRAL_TOKEN_FILE] [default: $CREDENTIALS_DIRECTORY/central-token if present]", valueName: "file"))
    var tokenFileFlag: String?

    @Option(
        name: .customLong("join-token-file"),
        help: ArgumentHelp(
            "File holding a join token from `edge-central join-tokens create`. Without --central-token-file the node enrolls "
                + "once with it and keeps its own credential in the data directory (central-credential, mode 600). "
                + "[env: EDGE_JOIN_TOKEN_FILE]", valueName: "file"))
    var joinTokenFileFlag: String?

    @Option(
        name: .customLong("central-ca-file"),
        help: ArgumentHelp(
            "PEM file of the CA that signed central's certificate (replaces the system roots). [env: EDGE_CENTRAL_CA_FILE]",
            valueName: "file"))
    var caFileFlag: String?

    @Option(
        name: .customLong("sync-interval"),
        help: ArgumentHelp(
            "How often to sync when nothing else triggers it (local writes push within about a second). "
                + "[env: EDGE_SYNC_INTERVAL] [default: 15s]", valueName: "duration"))
    var intervalFlag: String?

    struct Settings: Sendable {
        var url: String
        /// Empty: the credential the node enrolled for, in its data directory.
        var tokenFile: String
        var joinTokenFile: String?
        var caFile: String?
        var intervalMillis: Int64
    }

    /// The validated settings, or nil when no central is configured. A bad value is a
    /// configuration error naming the option (exit status 2).
    func resolved() throws -> Settings? {
        let url = CommandLineSupport.Settings.resolve(flag: centralURLFlag, env: "EDGE_CENTRAL_URL") { "" }
        guard !url.isEmpty else { return nil }
        guard url.hasPrefix("http://") || url.hasPrefix("https://"), url.count > 8, !url.contains(" "), !url.contains("@") else {
            throw ConfigurationError(
                "--central-url / EDGE_CENTRAL_URL: \"\(url.prefix(80))\" is not an http:// or https:// URL (credentials do not belong in it; use --central-token-file)"
            )
        }
        let joinTokenFile = CommandLineSupport.Settings.resolve(flag: joinTokenFileFlag, env: "EDGE_JOIN_TOKEN_FILE") { "" }
        let tokenFile = CommandLineSupport.Settings.resolve(flag: tokenFileFlag, env: "EDGE_CENTRAL_TOKEN_FILE") {
            // systemd's LoadCredential=central-token; without one the node uses (or enrolls for) its stored credential.
            // An empty one beside a join token (the .deb installs it empty) means: enroll.
            CommandLineSupport.Settings.environment("CREDENTIALS_DIRECTORY").map { $0 + "/central-token" }
                .flatMap { joinTokenFile.isEmpty || (try? SecretFile.read($0, option: "")) != nil ? $0 : nil } ?? ""
        }
        // A missing, empty or unreadable token file is not checked here: it is a sync state
        // (`no_credential`), so the household page keeps working while it is fixed.
        let caFile = CommandLineSupport.Settings.resolve(flag: caFileFlag, env: "EDGE_CENTRAL_CA_FILE") { "" }
        if !caFile.isEmpty {
            guard access(caFile, R_OK) == 0 else {
                throw ConfigurationError("--central-ca-file / EDGE_CENTRAL_CA_FILE: cannot read \(caFile): \(String(cString: strerror(errno)))")
            }
            // Parsed here, before the store is opened: a bad value creates nothing.
            do { _ = try CentralClient.trustRoots(caFile: caFile) } catch {
                throw ConfigurationError("--central-ca-file / EDGE_CENTRAL_CA_FILE: \(caFile) holds no PEM certificate (\(error))")
            }
        }
        let intervalText = CommandLineSupport.Settings.resolve(flag: intervalFlag, env: "EDGE_SYNC_INTERVAL") { "15s" }
        guard let interval = DurationText.parseMillis(intervalText), interval >= 1000, interval <= 86_400_000 else {
            throw ConfigurationError("--sync-interval / EDGE_SYNC_INTERVAL: \"\(intervalText.prefix(40))\" is not a duration from 1s to 24h (e.g. 15s, 1m)")
        }
        return Settings(
            url: url, tokenFile: tokenFile, joinTokenFile: joinTokenFile.isEmpty ? nil : joinTokenFile,
            caFile: caFile.isEmpty ? nil : caFile, intervalMillis: interval)
    }

    /// The engine for these settings, and the enrollment when the node uses (or enrolls for)
    /// the credential stored in its data directory rather than a --central-token-file.
    static func engine(_ settings: Settings, store: LocalStore, logger: Logger) throws -> (SyncEngine, TokenFile, Enrollment?) {
        let enrolling = settings.tokenFile.isEmpty
        let dataDirectory = store.path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let token =
            enrolling
            ? TokenFile(
                path: (dataDirectory.isEmpty ? "." : dataDirectory) + "/" + Enrollment.credentialFileName,
                option: "node credential", requirePrivate: true)
            : TokenFile(path: settings.tokenFile)
        let client: CentralClient
        do {
            client = try CentralClient(baseURL: settings.url, token: token, caFile: settings.caFile, logger: logger)
        } catch {
            throw ConfigurationError("--central-ca-file / EDGE_CENTRAL_CA_FILE: \(settings.caFile ?? "") is not a PEM certificate file: \(error)")
        }
        let node = store.configuration.nodeName
        let enrollment =
            enrolling
            ? Enrollment(client: client, node: node, joinTokenFile: settings.joinTokenFile, credential: token, logger: logger)
            : nil
        return (SyncEngine(store: store, client: client, node: node, logger: logger), token, enrollment)
    }
}
