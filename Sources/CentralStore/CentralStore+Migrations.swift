import PostgresNIO

extension CentralStore {
    /// Applies the missing migrations, each in its own transaction with its bookkeeping row,
    /// under a session advisory lock: a second process waits, then finds nothing to do.
    /// Returns the names applied by this call. Refuses a database newer than this binary.
    @discardableResult
    public func migrate() async throws -> [String] {
        try await migrate(CentralMigrations.all)
    }

    /// Applies the missing ones of `migrations` (tests stop at an older release's schema).
    @discardableResult
    func migrate(_ migrations: [(name: String, sql: [String])]) async throws -> [String] {
        // Longer than a request's deadline: a migration's DDL, or waiting for another
        // process's, can take seconds on a busy disk.
        let applied = try await operation("migrate", timeout: .seconds(60)) { [client, logger] () async throws -> [String] in
            try await client.withConnection { connection in
                try await connection.query("SELECT pg_advisory_lock(\(CentralMigrations.lockKey))", logger: logger)
                do {
                    let result = try await Self.applyMissing(connection, logger, migrations)
                    try await connection.query("SELECT pg_advisory_unlock(\(CentralMigrations.lockKey))", logger: logger)
                    return result
                } catch {
                    // Closing the session would also release the lock; this keeps the pooled
                    // connection clean for its next user.
                    _ = try? await connection.query("SELECT pg_advisory_unlock(\(CentralMigrations.lockKey))", logger: logger)
                    throw error
                }
            }
        }
        guard migrations.count == CentralMigrations.all.count else { return applied }
        let legacy = try await operation("read sample state") { [client, logger] in
            try await client.query("SELECT legacy_next_block IS NOT NULL FROM sample_state", logger: logger).column(Bool.self)
        }
        if legacy.first == false { legacyGone.store(true, ordering: .releasing) }
        migrated.store(true, ordering: .releasing)
        return applied
    }

    private static func applyMissing(
        _ connection: PostgresConnection, _ logger: Logger,
        _ migrations: [(name: String, sql: [String])]
    ) async throws -> [String] {
        try await connection.query(
            """
            CREATE TABLE IF NOT EXISTS schema_migration (
                name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
            """, logger: logger)
        let done = Set(try await connection.query("SELECT name FROM schema_migration", logger: logger).column(String.self))
        let known = Set(migrations.map(\.name))
        let unknown = done.subtracting(known).sorted()
        if !unknown.isEmpty { throw CentralStoreError.newerSchema(unknown) }
        var applied: [String] = []
        for migration in migrations where !done.contains(migration.name) {
            try await connection.withTransaction(logger: logger) { tx in
                for statement in migration.sql {
                    try await tx.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await tx.query("INSERT INTO schema_migration (name) VALUES (\(migration.name))", logger: logger)
            }
            applied.append(migration.name)
        }
        return applied
    }
}
