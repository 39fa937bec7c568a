import Logging
import PostgresNIO
import Sync

/// One UTC day of samples: the unit of raw partitions (`sample_YYYYMMDD`, holding
/// `start <= ts < end`) and of retention.
public struct SampleDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    public static let millis: Int64 = 86_400_000
    /// Days since the Unix epoch.
    public let index: Int64

    public init(index: Int64) { self.index = index }

    /// The day holding `ts` (milliseconds since the epoch).
    public init(containing ts: Int64) {
        let (q, r) = ts.quotientAndRemainder(dividingBy: Self.millis)
        index = r < 0 ? q - 1 : q
    }

    /// The day a partition of `sample` is named after, or nil for another name.
    public init?(partition name: String) {
        guard name.hasPrefix("sample_"), name.utf8.count == 15 else { return nil }
        let digits = name.dropFirst(7)
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), let year = Int(digits.prefix(4)),
            let month = Int(digits.dropFirst(4).prefix(2)), let day = Int(digits.suffix(2)),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        index = RFC3339.daysFromCivil(year: year, month: month, day: day)
    }

    public var start: Int64 { index * Self.millis }
    public var end: Int64 { start + Self.millis }
    public var partition: String {
        let (y, m, d) = RFC3339.civil(fromDays: index)
        return "sample_" + Self.pad(y, 4) + Self.pad(m, 2) + Self.pad(d, 2)
    }
    public var month: SampleMonth {
        let (y, m, _) = RFC3339.civil(fromDays: index)
        return SampleMonth(year: y, month: m)
    }
    public func adding(_ days: Int64) -> SampleDay { SampleDay(index: index + days) }
    /// `2026-12-02`.
    public var description: String {
        let (y, m, d) = RFC3339.civil(fromDays: index)
        return Self.pad(y, 4) + "-" + Self.pad(m, 2) + "-" + Self.pad(d, 2)
    }
    public static func < (a: Self, b: Self) -> Bool { a.index < b.index }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}

/// One UTC month of per-minute rollups: the unit of `sample_minute` partitions
/// (`sample_minute_YYYYMM`) and of their retention.
public struct SampleMonth: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int

    public init(year: Int, month: Int) {
        self.year = year
        self.month = month
    }

    public init?(partition name: String) {
        guard name.hasPrefix("sample_minute_"), name.utf8.count == 20 else { return nil }
        let digits = name.dropFirst(14)
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }), let year = Int(digits.prefix(4)),
            let month = Int(digits.suffix(2)), (1...12).contains(month)
        else { return nil }
        self.init(year: year, month: month)
    }

    public var start: Int64 { RFC3339.daysFromCivil(year: year, month: month, day: 1) * SampleDay.millis }
    public var end: Int64 { next.start }
    public var next: SampleMonth { month == 12 ? SampleMonth(year: year + 1, month: 1) : SampleMonth(year: year, month: month + 1) }
    public var partition: String { "sample_minute_" + SampleDay.pad(year, 4) + SampleDay.pad(month, 2) }
    public var description: String { SampleDay.pad(year, 4) + "-" + SampleDay.pad(month, 2) }
    public static func < (a: Self, b: Self) -> Bool { (a.year, a.month) < (b.year, b.month) }
}

extension CentralStore {
    /// Taken (transaction-scoped) around every partition creation: replicas and ingests
    /// creating the same day at once create it once.
    static let partitionLockKey: Int64 = 7_310_593_858_008_514_678

    /// Makes sure raw partitions exist for `days`, creating the missing ones whose day is not
    /// already given up by retention (`end > raw_from`). Days this process has seen are skipped
    /// without a query. Returns the partitions created.
    @discardableResult
    public func ensureRawPartitions(_ days: some Collection<SampleDay>) async throws -> [String] {
        let wanted = knownDays.withLock { known in Set(days).subtracting(known) }
        guard !wanted.isEmpty else { return [] }
        let (existing, created) = try await operation("create partitions") { [client, logger] in
            try await client.withConnection { connection in
                try await connection.readCommitted(logger) { tx in
                    try await Self.createPartitions(tx, logger, wanted.sorted(), minute: false)
                }
            }
        }
        knownDays.withLock { $0.formUnion(existing.compactMap(SampleDay.init(partition:))) }
        return created
    }

    /// Forgets which partitions exist (one was dropped behind this process's back).
    func forgetPartitions() {
        knownDays.withLock { $0.removeAll() }
    }

    /// In a transaction: creates the missing partitions of `sample` (days) or `sample_minute`
    /// (the months of those days), each as a plain table with its primary key, then attached.
    /// ATTACH PARTITION takes only SHARE UPDATE EXCLUSIVE on the parent, so ingest and reads go
    /// on (CREATE TABLE ... PARTITION OF would take ACCESS EXCLUSIVE). Returns the partitions
    /// that exist afterwards among those wanted, and the ones created.
    static func createPartitions(_ tx: PostgresConnection, _ logger: Logger, _ days: [SampleDay], minute: Bool)
        async throws -> (existing: [String], created: [String])
    {
        try await tx.query("SET LOCAL lock_timeout = '3s'", logger: logger)
        try await tx.query("SELECT pg_advisory_xact_lock(\(partitionLockKey))", logger: logger)
        let rawFrom = try await tx.query("SELECT raw_from FROM sample_state", logger: logger).column(Int64.self).first ?? 0
        struct Wanted { var name: String; var lower: Int64; var upper: Int64 }
        var wanted: [Wanted] = []
        for day in days {
            if minute {
                let month = day.month
                if !wanted.contains(where: { $0.name == month.partition }) {
                    wanted.append(Wanted(name: month.partition, lower: month.start, upper: month.end))
                }
            } else if day.end > rawFrom {
                wanted.append(Wanted(name: day.partition, lower: day.start, upper: day.end))
            }
        }
        guard !wanted.isEmpty else { return ([], []) }
        let parent = minute ? "sample_minute" : "sample"
        let present = Set(
            try await tx.query(
                """
                SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
                WHERE i.inhparent = \(parent)::regclass AND c.relname::text = ANY(\(wanted.map(\.name))::text[])
                """, logger: logger
            ).column(String.self))
        var created: [String] = []
        for partition in wanted where !present.contains(partition.name) {
            let columns =
                minute
                ? "avg double precision NOT NULL, min double precision NOT NULL, max double precision NOT NULL, count integer NOT NULL"
                : "value double precision NOT NULL, clock smallint NOT NULL"
            try await tx.query(
                PostgresQuery(
                    unsafeSQL: """
                        CREATE TABLE \(partition.name) (node_id integer NOT NULL, series_id integer NOT NULL, ts bigint NOT NULL,
                            \(columns), PRIMARY KEY (node_id, series_id, ts))
                        """), logger: logger)
            try await tx.query(
                PostgresQuery(
                    unsafeSQL: """
                        ALTER TABLE \(parent) ATTACH PARTITION \(partition.name) FOR VALUES FROM (\(partition.lower)) TO (\(partition.upper))
                        """), logger: logger)
            created.append(partition.name)
        }
        return (wanted.map(\.name), created)
    }

    /// The raw partitions of `sample`, oldest first, with the days they hold.
    func rawPartitions(_ connection: PostgresConnection) async throws -> [SampleDay] {
        try await Self.childNames(connection, logger, parent: "sample").compactMap(SampleDay.init(partition:)).sorted()
    }

    func minutePartitions(_ connection: PostgresConnection) async throws -> [SampleMonth] {
        try await Self.childNames(connection, logger, parent: "sample_minute").compactMap(SampleMonth.init(partition:)).sorted()
    }

    static func childNames(_ connection: PostgresConnection, _ logger: Logger, parent: String) async throws -> [String] {
        try await connection.query(
            """
            SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = \(parent)::regclass ORDER BY c.relname
            """, logger: logger
        ).column(String.self)
    }
}

extension PostgresConnection {
    /// A READ COMMITTED transaction whatever the database's default isolation: ingest and
    /// retention rely on each statement seeing what committed before it started (a lock
    /// waited for, then the state read after it).
    func readCommitted<T: Sendable>(_ logger: Logger, _ body: (PostgresConnection) async throws -> T) async throws -> T {
        try await query("BEGIN ISOLATION LEVEL READ COMMITTED", logger: logger)
        do {
            let value = try await body(self)
            // A query written to a closed connection is never answered (PostgresNIO loses the
            // write): fail instead. PostgreSQL rolls back a transaction whose client is gone.
            guard !isClosed else { throw CentralStoreError.unavailable("the connection to PostgreSQL closed before COMMIT") }
            try await query("COMMIT", logger: logger)
            return value
        } catch {
            if !isClosed { _ = try? await query("ROLLBACK", logger: logger) }
            throw error
        }
    }
}
