import CentralStore
import Foundation
import Logging
import PostgresNIO
import Testing

/// A fresh database on the test PostgreSQL (`EDGE_TEST_DATABASE_URL`, set by
/// `scripts/with-postgres.sh`, which `make test` uses), dropped afterwards.
enum TestDatabase {
    static var serverURL: String? { ProcessInfo.processInfo.environment["EDGE_TEST_DATABASE_URL"] }

    /// Under `make test` a missing PostgreSQL is a failure, not a skip.
    static var available: Bool {
        if serverURL != nil { return true }
        return ProcessInfo.processInfo.environment["EDGE_REQUIRE_POSTGRES"] == "1"
    }

    /// `migrate: false` leaves the schema to the test (an older release's, say).
    static func withStore<T>(
        poolSize: Int = 10, migrate: Bool = true, configuration: CentralStore.Configuration = .init(),
        _ body: (CentralStore, String) async throws -> T
    ) async throws -> T {
        guard let server = serverURL else {
            Issue.record("EDGE_TEST_DATABASE_URL is not set; run the tests through scripts/with-postgres.sh (make test does)")
            throw CancellationError()
        }
        let name = "edge_t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        try await admin(server, "CREATE DATABASE \(name)")
        let url = server.replacingOccurrences(of: "/postgres", with: "/\(name)")
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let store = try CentralStore(url: try DatabaseURL(url), poolSize: poolSize, configuration: configuration, logger: logger)
        let running = Task { await store.run() }
        do {
            if migrate { try await store.migrate() }
            let result = try await body(store, url)
            running.cancel()
            _ = await running.value
            try await admin(server, "DROP DATABASE \(name) WITH (FORCE)")
            return result
        } catch {
            running.cancel()
            _ = await running.value
            try? await admin(server, "DROP DATABASE \(name) WITH (FORCE)")
            throw error
        }
    }

    static func admin(_ url: String, _ sql: String) async throws {
        var logger = Logger(label: "test-admin")
        // .error: PostgresNIO warns when the first query is queued before `run()` has started,
        // which is exactly what a one-off client does (the query waits for it).
        logger.logLevel = .error
        let client = PostgresClient(configuration: try DatabaseURL(url).clientConfiguration(poolSize: 2), backgroundLogger: logger)
        let running = Task { await client.run() }
        defer { running.cancel() }
        try await client.query(PostgresQuery(unsafeSQL: sql), logger: logger)
    }
}
