import ArgumentParser
import CentralStore
import CommandLineSupport
import Logging

/// `--database-url` and the pool size, shared by every command.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: ArgumentHelp(
        "PostgreSQL URL, e.g. postgres://edge@127.0.0.1:5432/edge (password in the URL or via a .pgpass-free secret URL). "
            + "[env: EDGE_CENTRAL_DATABASE_URL] [required]", valueName: "url"))
    var databaseURLFlag: String?

    @Option(name: .customLong("db-pool-size"), help: ArgumentHelp(
        "Connections to PostgreSQL per process. [env: EDGE_CENTRAL_DB_POOL_SIZE] [default: 20]", valueName: "n"))
    var poolSizeFlag: String?

    func url() throws -> DatabaseURL {
        let text = Settings.resolve(flag: databaseURLFlag, env: "EDGE_CENTRAL_DATABASE_URL") { "" }
        guard !text.isEmpty else {
            throw ConfigurationError("--database-url / EDGE_CENTRAL_DATABASE_URL is required (a postgres:// URL)")
        }
        do { return try DatabaseURL(text) } catch {
            throw ConfigurationError("--database-url / EDGE_CENTRAL_DATABASE_URL: \(error.description)")
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
    func withStore<T: Sendable>(logger: Logger, _ body: @escaping @Sendable (CentralStore) async throws -> T) async throws -> T {
        let store = try CentralStore(url: try url(), poolSize: try poolSize(), logger: logger)
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
