import ArgumentParser
import CentralStore
import CommandLineSupport
import Logging

/// `--database-url` and the pool size, shared by every command.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("database-url"),
        help: ArgumentHelp(
            "PostgreSQL URL, e.g. postgres://edge:PASSWORD@127.0.0.1:5432/edge?sslmode=require. "
                + "[env: EDGE_CENTRAL_DATABASE_URL] [required, or --database-url-file]", valueName: "url"))
    var databaseURLFlag: String?

    @Option(
        name: .customLong("database-url-file"),
        help: ArgumentHelp(
            "File holding that URL (a Kubernetes Secret mount or a systemd credential), so the password is in no "
                + "environment or command line; used when --database-url is not given. [env: EDGE_CENTRAL_DATABASE_URL_FILE]",
            valueName: "file"))
    var databaseURLFileFlag: String?

    @Option(
        name: .customLong("db-pool-size"),
        help: ArgumentHelp(
            "Connections to PostgreSQL per process. [env: EDGE_CENTRAL_DB_POOL_SIZE] [default: 20]", valueName: "n"))
    var poolSizeFlag: String?

    func url() throws -> DatabaseURL {
        var text = Settings.resolve(flag: databaseURLFlag, env: "EDGE_CENTRAL_DATABASE_URL") { "" }
        var option = "--database-url / EDGE_CENTRAL_DATABASE_URL"
        if text.isEmpty {
            let file = Settings.resolve(flag: databaseURLFileFlag, env: "EDGE_CENTRAL_DATABASE_URL_FILE") { "" }
            if !file.isEmpty {
                option = "--database-url-file / EDGE_CENTRAL_DATABASE_URL_FILE"
                text = try SecretFile.read(file, option: option)
            }
        }
        guard !text.isEmpty else {
            throw ConfigurationError("--database-url (EDGE_CENTRAL_DATABASE_URL) or --database-url-file is required (a postgres:// URL)")
        }
        do { return try DatabaseURL(text) } catch {
            throw ConfigurationError("\(option): \(error.description)")
        }
    }

    func poolSize() throws -> Int {
        let text = Settings.resolve(flag: poolSizeFlag, env: "EDGE_CENTRAL_DB_POOL_SIZE") { "20" }
        guard let n = Int(text), (2...500).contains(n) else {
            throw ConfigurationError("--db-pool-size / EDGE_CENTRAL_DB_POOL_SIZE: \"\(text.prefix(20))\" is not a number from 2 to 500")
        }
        return n
    }

    /// Opens the store and runs its pool for the duration of `body`.
    func withStore<T: Sendable>(
        logger: Logger, configuration: CentralStore.Configuration = .init(),
        _ body: @escaping @Sendable (CentralStore) async throws -> T
    ) async throws -> T {
        let store = try CentralStore(url: try url(), poolSize: try poolSize(), configuration: configuration, logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await store.run()
                return nil
            }
            defer { group.cancelAll() }
            let value = try await body(store)
            return value
        }
    }
}
