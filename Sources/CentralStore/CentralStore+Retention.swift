import Logging
import PostgresNIO
import Sync

/// How long central keeps samples: raw for `sampleRetention`, then per-minute rollups for
/// `rollupRetention`, then hourly rollups for good.
public struct RetentionPolicy: Sendable, Equatable {
    public static let day: Int64 = SampleDay.millis
    public var sampleRetention: Int64 = 14 * day
    public var rollupRetention: Int64 = 400 * day
    public init() {}
    public init(sampleRetention: Int64, rollupRetention: Int64) {
        self.sampleRetention = sampleRetention
        self.rollupRetention = rollupRetention
    }

    /// The first raw day kept at `now`: every day before it ended at least `sampleRetention` ago.
    public func rawCutoff(now: Int64) -> SampleDay { SampleDay(containing: now - sampleRetention) }
    /// Per-minute rollups of days before this are dropped (by whole months).
    public func minuteCutoff(now: Int64) -> SampleDay { SampleDay(containing: now - rollupRetention) }
}

/// What one retention run did.
public struct RetentionReport: Sendable, Equatable {
    public enum Outcome: String, Sendable { case done, skipped, failed }
    public var outcome: Outcome = .done
    /// Rows moved out of the unpartitioned table of before the partitioning migration.
    public var legacyRowsMoved: Int64 = 0
    /// The move finished in this run (the old table is gone).
    public var legacyFinished = false
    public var partitionsCreated: [String] = []
    /// Raw partitions rolled up into per-minute and hourly rollups.
    public var partitionsRolledUp: [String] = []
    public var rowsRolledUp: Int64 = 0
    public var partitionsDropped: [String] = []
    public var rowsDropped: Int64 = 0
    public var minutePartitionsDropped: [String] = []
    public var seconds: Double = 0
    public init() {}
}

/// A retention run that stopped on an error, with what it did before: the next run resumes it.
public struct RetentionFailure: Error, CustomStringConvertible {
    public var report: RetentionReport
    public var error: any Error
    public var description: String {
        if let error = error as? PSQLError { return "retention run failed: \(CentralStore.shortDescription(error))" }
        return "retention run failed: \(error)"
    }
}

extension CentralStore {
    /// Held (session-scoped) for a whole retention run: of several replicas, one does the work
    /// and the others skip.
    public static let retentionLockKey: Int64 = 7_310_593_858_008_514_679

    /// Which steps a run takes (tests stop after the rollup to act out a crash before the drop).
    public struct RetentionSteps: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let move = RetentionSteps(rawValue: 1)
        public static let createAhead = RetentionSteps(rawValue: 2)
        public static let rollUp = RetentionSteps(rawValue: 4)
        public static let drop = RetentionSteps(rawValue: 8)
        public static let all: RetentionSteps = [.move, .createAhead, .rollUp, .drop]
    }

    /// One retention run, under a session advisory lock (another holder: `.skipped`, nothing done):
    ///
    /// 1. moves what is left of the unpartitioned `sample` of before the partitioning migration
    ///    into the partitions, `legacyMoveBatch` rows per transaction, then drops it;
    /// 2. creates the raw partitions of today and the next two days;
    /// 3. stops ingest into days older than the retention (`raw_from`, under an EXCLUSIVE lock
    ///    of `node`, which every ingest holds a row of while it inserts);
    /// 4. rolls each such day up (per-minute and hourly rows, its `sample_day` record and the
    ///    `rolled_through` mark in one transaction), then drops its partition;
    /// 5. drops the months of per-minute rollups older than their retention (`minute_from`).
    ///
    /// Every step is idempotent and recorded in the transaction that does it, so a run cut
    /// anywhere (SIGKILL, PostgreSQL restarting) leaves nothing half done: the next run
    /// carries on where it stopped, and nothing is rolled up twice or dropped unrolled.
    /// `progress` hears one line per step done (the CLI prints them).
    public func runRetention(
        steps: RetentionSteps = .all,
        progress: (@Sendable (String) -> Void)? = nil
    ) async throws -> RetentionReport {
        let started = ContinuousClock.now
        let policy = configuration.retention
        let now = self.now()
        var report = try await client.withConnection { [logger] connection -> RetentionReport in
            let locked =
                try await connection.query(
                    "SELECT pg_try_advisory_lock(\(Self.retentionLockKey))", logger: logger
                ).column(Bool.self).first ?? false
            guard locked else {
                var report = RetentionReport()
                report.outcome = .skipped
                return report
            }
            var report = RetentionReport()
            do {
                try await self.retentionSteps(connection, steps, policy, now, progress, &report)
                try await self.transaction(connection) { [logger] tx in
                    _ = try await tx.query("SELECT pg_advisory_unlock(\(Self.retentionLockKey))", logger: logger)
                }
                return report
            } catch {
                // If the connection is gone, PostgreSQL released the lock with it (and a query
                // on it would never be answered: PostgresNIO loses writes to a closed channel).
                if !connection.isClosed {
                    _ = try? await self.withDeadline(.seconds(10), "retention unlock") { [logger] in
                        try await connection.query("SELECT pg_advisory_unlock(\(Self.retentionLockKey))", logger: logger)
                    }
                }
                report.outcome = .failed
                report.seconds = Self.seconds(since: started)
                throw RetentionFailure(report: report, error: Self.unwrap(error))
            }
        }
        report.seconds = Self.seconds(since: started)
        return report
    }

    /// A transaction of a retention run on the run's connection, within `limit`: the backstop
    /// for a query PostgresNIO would wait for forever (it loses a write to a connection that
    /// closed under it, say when PostgreSQL restarts between two statements).
    func transaction<T: Sendable>(
        _ connection: PostgresConnection, limit: Duration = .seconds(300),
        _ body: @escaping @Sendable (PostgresConnection) async throws -> T
    ) async throws -> T {
        guard !connection.isClosed else { throw CentralStoreError.unavailable("retention: the connection to PostgreSQL closed") }
        do {
            return try await withDeadline(limit, "retention") { [logger] in try await connection.readCommitted(logger, body) }
        } catch {
            // At a deadline or on cancellation (shutdown) the transaction may still be running:
            // close the connection, so PostgreSQL rolls it back and the pool never lends a
            // connection in the middle of it. After any other failure the run ends anyway.
            try? await connection.close()
            throw error
        }
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = start.duration(to: .now)
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    private func retentionSteps(
        _ connection: PostgresConnection, _ steps: RetentionSteps, _ policy: RetentionPolicy,
        _ now: Int64, _ progress: (@Sendable (String) -> Void)?, _ report: inout RetentionReport
    ) async throws {
        let say = progress ?? { _ in }
        if steps.contains(.move) {
            try await moveLegacy(connection, &report, say)
        }
        if steps.contains(.createAhead) {
            let today = SampleDay(containing: now)
            let days = [today, today.adding(1), today.adding(2)]
            let (existing, created) = try await transaction(connection) { [logger] tx in
                try await Self.createPartitions(tx, logger, days, minute: false)
            }
            knownDays.withLock { $0.formUnion(existing.compactMap(SampleDay.init(partition:))) }
            report.partitionsCreated += created
            for name in created { say("created partition \(name)") }
        }
        // Nothing is rolled up or dropped while rows of the old table still wait to be moved:
        // they may belong to any day.
        guard steps.contains(.rollUp), try await transaction(connection, { [self] tx in try await self.legacyPending(tx) }) == false else { return }

        let cutoff = policy.rawCutoff(now: now)
        let advanced = try await transaction(connection) { [logger] tx -> Bool in
            let rawFrom = try await tx.query("SELECT raw_from FROM sample_state FOR UPDATE", logger: logger).column(Int64.self).first ?? 0
            guard rawFrom < cutoff.start else { return false }
            // Waits for every ingest in flight (each holds its node's row lock while it inserts)
            // and holds new ones back until COMMIT: afterwards no ingest writes below the cutoff.
            try await tx.query("SET LOCAL lock_timeout = '5s'", logger: logger)
            try await tx.query("LOCK TABLE node IN EXCLUSIVE MODE", logger: logger)
            try await tx.query("UPDATE sample_state SET raw_from = \(cutoff.start)", logger: logger)
            return true
        }
        if advanced { say("raw samples before \(cutoff) are no longer accepted") }

        for day in try await transaction(connection, { [self] tx in try await self.rawPartitions(tx) }) where day < cutoff {
            if let rows = try await rollUp(connection, day) {
                report.partitionsRolledUp.append(day.partition)
                report.rowsRolledUp += rows
                say("rolled up \(day.partition): \(rows) rows")
            }
            guard steps.contains(.drop) else { continue }
            if let rows = try await dropRolledUp(connection, day) {
                report.partitionsDropped.append(day.partition)
                report.rowsDropped += rows
                say("dropped \(day.partition): \(rows) rows")
            }
        }
        // Every day before the cutoff is rolled up now, or never held a sample (and never
        // will: ingest stops at raw_from). Months of per-minute rollups may go up to here.
        _ = try await transaction(connection) { [logger] tx in
            try await tx.query(
                "UPDATE sample_state SET rolled_through = \(cutoff.start) WHERE rolled_through < \(cutoff.start) AND raw_from >= \(cutoff.start)",
                logger: logger)
        }
        guard steps.contains(.drop) else { return }

        let minuteCutoff = policy.minuteCutoff(now: now)
        for month in try await transaction(connection, { [self] tx in try await self.minutePartitions(tx) }) where month.end <= minuteCutoff.start {
            let dropped = try await transaction(connection) { [logger] tx -> Bool in
                let rolledThrough =
                    try await tx.query(
                        "SELECT rolled_through FROM sample_state FOR UPDATE", logger: logger
                    ).column(Int64.self).first ?? 0
                // Only months whose every day has its hourly rollups.
                guard month.end <= rolledThrough else { return false }
                try await Self.dropPartition(tx, logger, month.partition)
                // In the same transaction: reads switch from these per-minute rows to the hourly ones.
                try await tx.query("UPDATE sample_state SET minute_from = greatest(minute_from, \(month.end))", logger: logger)
                return true
            }
            if dropped {
                report.minutePartitionsDropped.append(month.partition)
                say("dropped \(month.partition) (per-minute rollups; hourly ones stay)")
            }
        }
    }

    /// Rolls one raw day up unless its `sample_day` record says it was: per-minute rows
    /// (avg/min/max/count per node and series), hourly rows from those, the record and the
    /// `rolled_through` mark in one transaction. Returns the raw rows read, or nil if the day
    /// was rolled up before.
    func rollUp(_ connection: PostgresConnection, _ day: SampleDay) async throws -> Int64? {
        // The month's partition first, in its own transaction (DDL under the partition lock).
        _ = try await transaction(connection) { [logger] tx in
            try await Self.createPartitions(tx, logger, [day], minute: true)
        }
        return try await transaction(connection, limit: .seconds(3600)) { [logger] tx -> Int64? in
            try await tx.query("INSERT INTO sample_day (day) VALUES (\(day.index)) ON CONFLICT DO NOTHING", logger: logger)
            let rolled = try await tx.query(
                "SELECT rolled_up_at IS NOT NULL FROM sample_day WHERE day = \(day.index) FOR UPDATE", logger: logger
            ).column(Bool.self)
            if rolled.first == true { return nil }
            // One day of ten nodes is about 1.8 million minute groups: let the hash aggregate
            // keep them in memory rather than spill.
            try await tx.query("SET LOCAL work_mem = '128MB'", logger: logger)
            let counts = try await tx.query(
                PostgresQuery(
                    unsafeSQL: """
                        WITH m AS MATERIALIZED (
                            SELECT node_id, series_id, ts - ts % 60000 AS ts,
                                   avg(value) AS avg, min(value) AS min, max(value) AS max, count(*)::int4 AS count
                            FROM \(day.partition) GROUP BY 1, 2, 3),
                        minutes AS (
                            INSERT INTO sample_minute (node_id, series_id, ts, avg, min, max, count)
                            SELECT node_id, series_id, ts, avg, min, max, count FROM m),
                        hours AS (
                            INSERT INTO sample_hour (node_id, series_id, ts, avg, min, max, count)
                            SELECT node_id, series_id, ts - ts % 3600000, sum(avg * count) / sum(count), min(min), max(max), sum(count)::int4
                            FROM m GROUP BY 1, 2, 3)
                        SELECT coalesce(sum(count), 0)::int8, count(*)::int8 FROM m
                        """), logger: logger
            ).collect((Int64, Int64).self)
            let rows = counts.first?.0 ?? 0
            let minuteRows = counts.first?.1 ?? 0
            try await tx.query(
                """
                UPDATE sample_day SET rolled_up_at = now(), raw_rows = \(rows), minute_rows = \(minuteRows) WHERE day = \(day.index)
                """, logger: logger)
            // Stepped reads take raw rows from here on, rollups before.
            try await tx.query("UPDATE sample_state SET rolled_through = greatest(rolled_through, \(day.end))", logger: logger)
            return rows
        }
    }

    /// Drops a raw day's partition if it was rolled up; returns its rows, or nil if it was not
    /// dropped (not rolled up, or gone already).
    func dropRolledUp(_ connection: PostgresConnection, _ day: SampleDay) async throws -> Int64? {
        let rows = try await transaction(connection) { [logger] tx -> Int64? in
            let record = try await tx.query(
                "SELECT rolled_up_at IS NOT NULL, coalesce(raw_rows, 0) FROM sample_day WHERE day = \(day.index) FOR UPDATE",
                logger: logger
            ).collect((Bool, Int64).self)
            guard let first = record.first, first.0 else { return nil }
            let rows = first.1
            let exists =
                try await tx.query(
                    "SELECT to_regclass(\(day.partition)) IS NOT NULL", logger: logger
                ).column(Bool.self).first ?? false
            guard exists else { return nil }
            try await Self.dropPartition(tx, logger, day.partition)
            try await tx.query("UPDATE sample_day SET dropped_at = now() WHERE day = \(day.index)", logger: logger)
            return rows
        }
        if rows != nil { knownDays.withLock { _ = $0.remove(day) } }
        return rows
    }

    /// Drops a partition in two steps. DROP TABLE of a partition takes ACCESS EXCLUSIVE on
    /// the parent first and holds it while it waits for the partition, which would stop every
    /// ingest and read behind a long read of that old day. So the partition is locked first
    /// (only reads of that day wait), then the parent for a moment: only transactions in
    /// flight on it, each a few milliseconds, are waited for. A lock not had in time fails the
    /// run; the next one drops it.
    static func dropPartition(_ tx: PostgresConnection, _ logger: Logger, _ name: String) async throws {
        try await tx.query("SET LOCAL lock_timeout = '10s'", logger: logger)
        try await tx.query(PostgresQuery(unsafeSQL: "LOCK TABLE \(name) IN ACCESS EXCLUSIVE MODE"), logger: logger)
        try await tx.query("SET LOCAL lock_timeout = '2s'", logger: logger)
        try await tx.query(PostgresQuery(unsafeSQL: "DROP TABLE \(name)"), logger: logger)
    }

    // MARK: The move out of the table of before the partitioning migration

    func legacyPending(_ connection: PostgresConnection) async throws -> Bool {
        let pending =
            try await connection.query(
                "SELECT legacy_next_block IS NOT NULL FROM sample_state", logger: logger
            ).column(Bool.self).first ?? false
        if !pending { legacyGone.store(true, ordering: .releasing) }
        return pending
    }

    /// Moves `sample_legacy` into the partitions by ranges of its pages, about
    /// `legacyMoveBatch` rows per transaction (DELETE ... RETURNING into INSERT, with the
    /// position in `sample_state` in the same transaction), then drops it. Nothing writes into
    /// that table any more, so its pages hold only rows not moved yet, and a run cut in the
    /// middle resumes at the recorded page. Reads and ingest consult it until it is gone.
    func moveLegacy(_ connection: PostgresConnection, _ report: inout RetentionReport, _ say: (String) -> Void) async throws {
        var batches = 0
        while !Task.isCancelled {
            if try await moveLegacyBatch(connection, &report) {
                if report.legacyFinished {
                    say("moved every row of the unpartitioned sample table (\(report.legacyRowsMoved) in this run); dropped it")
                }
                return
            }
            batches += 1
            if batches % 20 == 0 { say("moved \(report.legacyRowsMoved) rows of the unpartitioned sample table so far") }
        }
    }

    /// One batch of the move; true once nothing is left (the table dropped, by this call or before).
    func moveLegacyBatch(_ connection: PostgresConnection, _ report: inout RetentionReport) async throws -> Bool {
        guard try await transaction(connection, { [self] tx in try await self.legacyPending(tx) }) else { return true }
        // About 128 rows fit a page (60 bytes of heap per row).
        let pagesPerBatch = Int64(max(1, configuration.legacyMoveBatch / 128))
        let state = try await transaction(connection) { [logger] tx in
            try await tx.query(
                """
                SELECT legacy_next_block, pg_relation_size('sample_legacy') / current_setting('block_size')::int8 FROM sample_state
                """, logger: logger
            ).collect((Int64?, Int64).self)
        }
        guard let first = state.first, let from = first.0 else { return true }
        let pages = first.1
        if from >= pages {
            try await finishLegacy(connection)
            report.legacyFinished = true
            return true
        }
        let to = min(pages, from + pagesPerBatch)
        let days = try await transaction(connection) { [logger] tx in
            try await tx.query(
                """
                SELECT DISTINCT (CASE WHEN ts >= 0 THEN ts / 86400000 ELSE (ts + 1) / 86400000 - 1 END)::int8 FROM sample_legacy
                WHERE ctid >= format('(%s,0)', \(from)::int8)::tid AND ctid < format('(%s,0)', \(to)::int8)::tid
                """, logger: logger
            ).column(Int64.self).map(SampleDay.init(index:))
        }
        let (existing, created) = try await transaction(connection) { [logger] tx in
            try await Self.createPartitions(tx, logger, days.sorted(), minute: false)
        }
        knownDays.withLock { $0.formUnion(existing.compactMap(SampleDay.init(partition:))) }
        report.partitionsCreated += created
        let moved = try await transaction(connection, limit: .seconds(900)) { [logger] tx -> Int64 in
            let position =
                try await tx.query(
                    "SELECT legacy_next_block FROM sample_state FOR UPDATE", logger: logger
                ).column(Int64?.self).first ?? nil
            guard position == from else { return 0 }  // moved by someone else (not under the run lock)
            let counts = try await tx.query(
                """
                WITH moved AS (
                    DELETE FROM sample_legacy
                    WHERE ctid >= format('(%s,0)', \(from)::int8)::tid AND ctid < format('(%s,0)', \(to)::int8)::tid
                    RETURNING node_id, series_id, ts, value, clock),
                ins AS (
                    INSERT INTO sample (node_id, series_id, ts, value, clock) SELECT * FROM moved
                    ON CONFLICT DO NOTHING)
                SELECT (SELECT count(*) FROM moved)::int8
                """, logger: logger
            ).column(Int64.self)
            try await tx.query("UPDATE sample_state SET legacy_next_block = \(to)", logger: logger)
            return counts.first ?? 0
        }
        report.legacyRowsMoved += moved
        return false
    }

    /// Drops the emptied old table. Under an EXCLUSIVE lock of `node`: no ingest that still
    /// looks into it is in flight, and later ones find `legacy_next_block` NULL.
    func finishLegacy(_ connection: PostgresConnection) async throws {
        try await transaction(connection) { [logger] tx in
            try await tx.query("SET LOCAL lock_timeout = '5s'", logger: logger)
            try await tx.query("LOCK TABLE node IN EXCLUSIVE MODE", logger: logger)
            let left = try await tx.query("SELECT count(*)::int8 FROM sample_legacy", logger: logger).column(Int64.self).first ?? 0
            guard left == 0 else {
                throw CentralStoreError.unavailable("\(left) rows are still in sample_legacy after the move; the next run moves them")
            }
            try await tx.query("DROP TABLE sample_legacy", logger: logger)
            try await tx.query("UPDATE sample_state SET legacy_next_block = NULL", logger: logger)
        }
        legacyGone.store(true, ordering: .releasing)
    }
}
