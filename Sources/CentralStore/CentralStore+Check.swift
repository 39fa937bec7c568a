import Logging
import PostgresNIO
import Sync

/// What `/metrics` shows of the sample storage, read at scrape time.
public struct StorageSummary: Sendable, Equatable {
    public var rawPartitions: Int
    public var minutePartitions: Int
    /// The oldest raw sample's ts, nil if none.
    public var oldestRawSample: Int64?
}

/// What `edge-central db check` prints.
public struct DatabaseReport: Sendable {
    public struct Migration: Sendable { public var name: String; public var appliedAt: Int64 }
    public struct Table: Sendable { public var name: String; public var bytes: Int64; public var partitions: Int }
    /// `estimatedRows` is PostgreSQL's estimate (`reltuples`), -1 before the first ANALYZE.
    public struct Partition: Sendable { public var name: String; public var bytes: Int64; public var estimatedRows: Int64 }

    public var applied: [Migration]
    /// Migrations this binary knows that the database lacks, and the reverse.
    public var missing: [String]
    public var unknown: [String]
    public var databaseBytes: Int64
    public var tables: [Table]
    public var rawPartitions: [Partition]
    public var minutePartitions: [Partition]
    public var oldestRawSample: Int64?
    public var newestRawSample: Int64?
    /// Rows of the unpartitioned table still waiting to be moved (nil: none left).
    public var legacyRows: Int64?
    public var rawFrom: Int64
    public var rolledThrough: Int64
    public var minuteFrom: Int64
    public var lastRollup: (day: Int64, at: Int64, rows: Int64)?
    public var hourlyRowsEstimate: Int64
    public var nodes: [NodeInfo]
}

extension CentralStore {
    public func storageSummary() async throws -> StorageSummary {
        try await operation("storage summary") { [self] in
            try await client.withConnection { connection in
                let counts = try await connection.query(
                    """
                    SELECT (SELECT count(*) FROM pg_inherits WHERE inhparent = 'sample'::regclass)::int8,
                           (SELECT count(*) FROM pg_inherits WHERE inhparent = 'sample_minute'::regclass)::int8
                    """, logger: logger
                ).collect((Int64, Int64).self)
                let oldest = try await extremeRawSample(connection, newest: false)
                return StorageSummary(
                    rawPartitions: Int(counts.first?.0 ?? 0), minutePartitions: Int(counts.first?.1 ?? 0),
                    oldestRawSample: oldest)
            }
        }
    }

    /// The oldest (or newest) raw sample's ts: in the oldest (newest) partition that holds one,
    /// or in the unpartitioned table while it is being moved. Each table is read by a skip
    /// scan of its primary key, one index probe per (node, series), not by reading it whole.
    func extremeRawSample(_ connection: PostgresConnection, newest: Bool) async throws -> Int64? {
        func scan(_ table: String) async throws -> Int64? {
            let order = newest ? "DESC" : ""
            let compare = newest ? "<" : ">"
            return try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        WITH RECURSIVE k AS (
                            (SELECT node_id, series_id, ts FROM \(table) ORDER BY node_id \(order), series_id \(order), ts \(order) LIMIT 1)
                            UNION ALL
                            SELECT n.node_id, n.series_id, n.ts FROM k, LATERAL (
                                SELECT node_id, series_id, ts FROM \(table) WHERE (node_id, series_id) \(compare) (k.node_id, k.series_id)
                                ORDER BY node_id \(order), series_id \(order), ts \(order) LIMIT 1) n)
                        SELECT \(newest ? "max" : "min")(ts) FROM k
                        """), logger: logger
            ).column(Int64?.self).first ?? nil
        }
        func combine(_ a: Int64?, _ b: Int64) -> Int64 { a.map { newest ? max($0, b) : min($0, b) } ?? b }
        // The unpartitioned table of before the migration, while it is moved, may hold any day.
        let found = try await legacyPending(connection) ? try await scan("sample_legacy") : nil
        var days = try await rawPartitions(connection)
        if newest { days.reverse() }
        for day in days {
            if let value = try await scan(day.partition) { return combine(found, value) }
        }
        return found
    }

    public func databaseReport() async throws -> DatabaseReport {
        let nodes = try await nodes()
        return try await operation("db check", timeout: .seconds(120)) { [self] in
            try await client.withConnection { connection in
                let applied = try await connection.query(
                    """
                    SELECT name, (extract(epoch FROM applied_at) * 1000)::int8 FROM schema_migration ORDER BY applied_at, name
                    """, logger: logger
                ).collect((String, Int64).self).map { DatabaseReport.Migration(name: $0.0, appliedAt: $0.1) }
                let names = Set(applied.map(\.name))
                let known = CentralMigrations.all.map(\.name)
                let databaseBytes =
                    try await connection.query(
                        "SELECT pg_database_size(current_database())::int8", logger: logger
                    ).column(Int64.self).first ?? 0
                let tables = try await connection.query(
                    """
                    SELECT c.relname::text,
                           (CASE WHEN c.relkind = 'p'
                                 THEN (SELECT coalesce(sum(pg_total_relation_size(i.inhrelid)), 0) FROM pg_inherits i WHERE i.inhparent = c.oid)
                                 ELSE pg_total_relation_size(c.oid) END)::int8,
                           (SELECT count(*) FROM pg_inherits i WHERE i.inhparent = c.oid)::int8
                    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
                    ORDER BY 2 DESC, 1
                    """, logger: logger
                ).collect((String, Int64, Int64).self).map {
                    DatabaseReport.Table(name: $0.0, bytes: $0.1, partitions: Int($0.2))
                }
                func partitions(_ parent: String) async throws -> [DatabaseReport.Partition] {
                    try await connection.query(
                        """
                        SELECT c.relname::text, pg_total_relation_size(c.oid)::int8, (CASE WHEN c.reltuples < 0 THEN -1 ELSE c.reltuples END)::int8
                        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                        WHERE i.inhparent = \(parent)::regclass ORDER BY c.relname
                        """, logger: logger
                    ).collect((String, Int64, Int64).self).map {
                        DatabaseReport.Partition(name: $0.0, bytes: $0.1, estimatedRows: $0.2)
                    }
                }
                let raw = try await partitions("sample")
                let minute = try await partitions("sample_minute")
                let state =
                    try await connection.query(
                        """
                        SELECT raw_from, rolled_through, minute_from, legacy_next_block IS NOT NULL FROM sample_state
                        """, logger: logger
                    ).collect((Int64, Int64, Int64, Bool).self).first ?? (Int64(0), Int64(0), Int64(0), false)
                var legacyRows: Int64?
                if state.3 {
                    legacyRows =
                        try await connection.query(
                            "SELECT count(*)::int8 FROM sample_legacy", logger: logger
                        ).column(Int64.self).first ?? 0
                }
                let last = try await connection.query(
                    """
                    SELECT day, (extract(epoch FROM rolled_up_at) * 1000)::int8, coalesce(raw_rows, 0)
                    FROM sample_day WHERE rolled_up_at IS NOT NULL ORDER BY rolled_up_at DESC, day DESC LIMIT 1
                    """, logger: logger
                ).collect((Int64, Int64, Int64).self).first
                let hourly =
                    try await connection.query(
                        "SELECT greatest(reltuples, 0)::int8 FROM pg_class WHERE oid = 'sample_hour'::regclass", logger: logger
                    ).column(Int64.self).first ?? 0
                return DatabaseReport(
                    applied: applied, missing: known.filter { !names.contains($0) }, unknown: names.subtracting(known).sorted(),
                    databaseBytes: databaseBytes, tables: tables, rawPartitions: raw, minutePartitions: minute,
                    oldestRawSample: try await extremeRawSample(connection, newest: false),
                    newestRawSample: try await extremeRawSample(connection, newest: true),
                    legacyRows: legacyRows, rawFrom: state.0, rolledThrough: state.1, minuteFrom: state.2,
                    lastRollup: last.map { (day: $0.0, at: $0.1, rows: $0.2) }, hourlyRowsEstimate: hourly, nodes: nodes)
            }
        }
    }
}
