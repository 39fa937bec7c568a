import PostgresNIO

extension CentralStore {
    /// Applies the missing migrations, each in its own transaction with its bookkeeping row,
    /// under a session advisory lock: a second process waits, then finds nothing to do.
    /// Returns the names applied by this call. Refuses a database newer than this binary.
    @discardableResult
    public func migrate() async throws -> [String] {
        let applied = try await operation("migrate") { [client, logger] () async throws -> [String] in
            try await client.withConnection { connection in
                try await connection.query("SELECT pg_advisory_lock(\(CentralMigrations.lockKey))", logger: logger)
                do {
                    let result = try await Self.applyMissing(connection, logger)
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
        migrated.store(true, ordering: .releasing)
        return applied
    }

    private static func applyMissing(_ connection: PostgresConnection, _ logger: Logger) async throws -> [String] {
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS schema_migration (
                name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())
            """, logger: logger)
        let done = Set(try await connection.query("SELECT name FROM schema_migration", logger: logger).column(String.self))
        let known = Set(CentralMigrations.all.map(\.name))
        let unknown = done.subtracting(known).sorted()
        if !unknown.isEmpty { throw CentralStoreError.newerSchema(unknown) }
        var applied: [String] = []
        for migration in CentralMigrations.all where !done.contains(migration.name) {
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
