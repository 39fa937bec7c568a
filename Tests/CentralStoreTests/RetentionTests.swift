import Foundation
import Logging
import PostgresNIO
import Sync
import Synchronization
import Testing

@testable import CentralStore

/// Partitions, retention, rollups, expired and future batches, and the in-place migration of
/// the unpartitioned `sample` table, against a real PostgreSQL 15. Each test moves its own
/// clock; none waits for time to pass.
@Suite(.enabled(if: TestDatabase.available, "needs EDGE_TEST_DATABASE_URL (scripts/with-postgres.sh)"), .serialized)
struct RetentionTests {
    static let day = SampleDay.millis
    /// Today at noon (UTC): tests move their clock from here.
    let noon = SampleDay(containing: WallClock.system.nowMillis()).start + 12 * 3_600_000
    var today: SampleDay { SampleDay(containing: noon) }

    final class Clock: Sendable {
        let millis: Atomic<Int64>
        init(_ millis: Int64) { self.millis = Atomic(millis) }
        func set(_ value: Int64) { millis.store(value, ordering: .relaxed) }
        var wallClock: WallClock { WallClock { self.millis.load(ordering: .relaxed) } }
    }

    /// A store configuration on `clock`, with the given retention.
    static func configuration(
        _ clock: Clock, sample: Int64 = 14 * day, rollup: Int64 = 400 * day,
        moveBatch: Int = 50_000
    ) -> CentralStore.Configuration {
        var configuration = CentralStore.Configuration()
        configuration.clock = clock.wallClock
        configuration.retention = RetentionPolicy(sampleRetention: sample, rollupRetention: rollup)
        configuration.legacyMoveBatch = moveBatch
        configuration.operationTimeout = .seconds(60)
        return configuration
    }

    static func node(_ store: CentralStore, _ name: String) async throws -> AuthenticatedNode {
        let token = try await store.addNode(name)
        return try #require(try await store.authenticate(token: token))
    }

    static let series = (0..<4).map { SyncWire.SampleBatch.Series(name: "bench_metric", labels: ["n": "\($0)"]) }

    /// Readings of `series` every `interval` over `[from, to)`, with values that differ within a minute.
    static func readings(from: Int64, to: Int64, interval: Int64 = 15_000) -> [SyncWire.SampleBatch.Reading] {
        stride(from: from, to: to, by: Int(interval)).map { ts in
            let k = Double(ts / interval % 1000)
            return .init(ts: ts, clock: .synced, layout: 0, values: [k / 4, (k * 7).truncatingRemainder(dividingBy: 13), -k, 1e6 + k / 100])
        }
    }

    static func batch(_ node: AuthenticatedNode, after: Int64?, _ readings: [SyncWire.SampleBatch.Reading]) -> SyncWire.SampleBatch {
        SyncWire.SampleBatch(node: node.name, after: after, series: series, layouts: [[0, 1, 2, 3]], readings: readings)
    }

    /// Posts readings as an agent would, in batches of at most 1,000 readings, chaining `after`.
    @discardableResult
    static func post(
        _ store: CentralStore, _ node: AuthenticatedNode, _ readings: [SyncWire.SampleBatch.Reading],
        after: Int64? = nil
    ) async throws -> (acks: [SyncWire.SampleAck], last: Int64?) {
        var acks: [SyncWire.SampleAck] = []
        var after = after
        var i = 0
        while i < readings.count {
            let chunk = Array(readings[i..<min(readings.count, i + 1000)])
            acks.append(try await store.ingest(batch(node, after: after, chunk), from: node))
            after = chunk.last?.ts
            i += chunk.count
        }
        return (acks, after)
    }

    static func query<each T: PostgresDecodable & Sendable>(_ store: CentralStore, _ sql: String, _ types: (repeat each T).Type) async throws -> [(
        repeat each T
    )] {
        var logger = Logger(label: "test")
        logger.logLevel = .error
        return try await store.postgresClient.query(PostgresQuery(unsafeSQL: sql), logger: logger).collect(types)
    }

    static func count(_ store: CentralStore, _ sql: String) async throws -> Int64 {
        try await query(store, sql, Int64?.self).first.flatMap { $0 } ?? -1
    }

    static func partitions(_ store: CentralStore, _ parent: String = "sample") async throws -> [String] {
        try await query(
            store,
            """
            SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = '\(parent)'::regclass ORDER BY 1
            """, String.self)
    }

    /// What the per-minute rollups of the raw rows before `before` must be, rounded so that
    /// summation order cannot matter.
    static func expectedMinutes(_ store: CentralStore, before: Int64, table: String = "sample") async throws -> [String] {
        try await query(
            store,
            """
            SELECT format('%s/%s/%s %s %s %s %s', node_id, series_id, ts - ts % 60000, round(avg(value)::numeric, 6), min(value), max(value), count(*))
            FROM \(table) WHERE ts < \(before) GROUP BY node_id, series_id, ts - ts % 60000 ORDER BY 1
            """, String.self)
    }

    static func minutes(_ store: CentralStore, before: Int64) async throws -> [String] {
        try await query(
            store,
            """
            SELECT format('%s/%s/%s %s %s %s %s', node_id, series_id, ts, round(avg::numeric, 6), min, max, count)
            FROM sample_minute WHERE ts < \(before) ORDER BY 1
            """, String.self)
    }

    static func stepped(_ store: CentralStore, _ since: Int64, _ until: Int64, step: Int64 = 3_600_000) async throws -> [CentralSeriesBuckets] {
        try await store.series(node: "pi-a", name: "bench_metric", labels: [:], since: since, until: until, step: step, limit: 100_000)
    }

    /// Buckets equal but for rounding of the sums.
    static func same(_ a: [CentralSeriesBuckets], _ b: [CentralSeriesBuckets]) -> Bool {
        guard a.count == b.count else { return false }
        for (x, y) in zip(a, b) {
            guard x.labels == y.labels, x.buckets.count == y.buckets.count else { return false }
            for (p, q) in zip(x.buckets, y.buckets) {
                guard p.start == q.start, p.min == q.min, p.max == q.max, p.count == q.count,
                    abs(p.sum - q.sum) <= 1e-9 * max(1, abs(p.sum))
                else { return false }
            }
        }
        return true
    }

    /// Posts five days of readings to `pi-a`, each day while the clock stands in it.
    static func fiveDays(_ store: CentralStore, _ clock: Clock, until noon: Int64) async throws -> AuthenticatedNode {
        let node = try await node(store, "pi-a")
        let today = SampleDay(containing: noon)
        var after: Int64?
        for back in (0...4).reversed() {
            let day = today.adding(Int64(-back))
            clock.set(day.start + 12 * 3_600_000)
            let posted = try await post(store, node, readings(from: day.start, to: back == 0 ? noon : day.end), after: after)
            #expect(posted.acks.allSatisfy { $0.expired == 0 && $0.duplicates == 0 })
            after = posted.last
        }
        clock.set(noon)
        return node
    }

    @Test func partitionsAreCreatedAheadAndOnDemandWithoutBlockingReaders() async throws {
        let clock = Clock(noon)
        try await TestDatabase.withStore(configuration: Self.configuration(clock)) { store, url in
            let report = try await store.runRetention()
            #expect(report.outcome == .done)
            #expect(try await Self.partitions(store) == [today, today.adding(1), today.adding(2)].map(\.partition))
            #expect(report.legacyFinished, "the first run moves the fresh database's empty unpartitioned table away")
            #expect(try await Self.count(store, "SELECT count(*) FROM pg_class WHERE relname = 'sample_legacy'") == 0)

            // A reader holds `sample` (ACCESS SHARE) in an open transaction while a batch for a day
            // without a partition arrives: ATTACH PARTITION does not wait for it (CREATE TABLE ...
            // PARTITION OF would, and fail at its lock timeout).
            let node = try await Self.node(store, "pi-a")
            var logger = Logger(label: "reader")
            logger.logLevel = .error
            let reader = PostgresClient(configuration: try DatabaseURL(url).clientConfiguration(poolSize: 2), backgroundLogger: logger)
            let running = Task { await reader.run() }
            defer { running.cancel() }
            let (holding, holdingGo) = AsyncStream<Void>.makeStream()
            let (release, releaseGo) = AsyncStream<Void>.makeStream()
            let held = Task {
                try await reader.withTransaction(logger: logger) { tx in
                    _ = try await tx.query("SELECT count(*) FROM sample", logger: logger)
                    holdingGo.yield()
                    for await _ in release { break }
                }
            }
            for await _ in holding { break }
            let fiveDaysAgo = today.adding(-5)
            let (acks, _) = try await Self.post(store, node, Self.readings(from: fiveDaysAgo.start, to: fiveDaysAgo.start + 3_600_000))
            releaseGo.yield()
            try await held.value
            #expect(acks.allSatisfy { $0.expired == 0 && $0.duplicates == 0 && $0.inserted == 960 })
            #expect(try await Self.partitions(store).contains(fiveDaysAgo.partition))
            #expect(try await Self.count(store, "SELECT count(*) FROM \(fiveDaysAgo.partition)") == 960)
            // Run again: nothing to create, roll up or drop.
            let again = try await store.runRetention()
            #expect(again.partitionsCreated.isEmpty && again.partitionsRolledUp.isEmpty && again.partitionsDropped.isEmpty)
        }
    }

    @Test func retentionRollsUpOnceAndDropsWholePartitionsEvenWhenRunTwice() async throws {
        let clock = Clock(noon)
        try await TestDatabase.withStore(configuration: Self.configuration(clock, sample: 2 * Self.day)) { store, _ in
            let node = try await Self.fiveDays(store, clock, until: noon)
            let cutoff = today.adding(-2)
            let expected = try await Self.expectedMinutes(store, before: cutoff.start)
            let rawBefore = try await Self.count(store, "SELECT count(*) FROM sample WHERE ts < \(cutoff.start)")
            let keptBefore = try await Self.count(store, "SELECT count(*) FROM sample WHERE ts >= \(cutoff.start)")
            let steppedBefore = try await Self.stepped(store, today.adding(-4).start, noon)
            #expect(rawBefore == 2 * 5760 * 4)
            #expect(steppedBefore.count == 4 && steppedBefore.allSatisfy { $0.buckets.count == 4 * 24 + 12 })

            let first = try await store.runRetention()
            #expect(first.outcome == .done)
            #expect(first.partitionsRolledUp == [today.adding(-4).partition, today.adding(-3).partition])
            #expect(first.partitionsDropped == first.partitionsRolledUp)
            #expect(first.rowsRolledUp == rawBefore && first.rowsDropped == rawBefore)
            #expect(try await Self.minutes(store, before: cutoff.start) == expected)
            #expect(try await Self.count(store, "SELECT sum(count)::int8 FROM sample_hour") == rawBefore)
            #expect(try await Self.count(store, "SELECT count(*) FROM sample_hour") == 2 * 24 * 4)
            #expect(try await Self.count(store, "SELECT count(*) FROM sample WHERE ts >= \(cutoff.start)") == keptBefore)
            let parts = try await Self.partitions(store)
            #expect(!parts.contains(today.adding(-4).partition) && !parts.contains(today.adding(-3).partition))
            #expect(parts.contains(cutoff.partition))
            // Stepped reads give the same buckets, now from rollups for the old days and raw after.
            #expect(Self.same(steppedBefore, try await Self.stepped(store, today.adding(-4).start, noon)))

            // Again: nothing to do, and nothing doubled.
            let second = try await store.runRetention()
            #expect(second.outcome == .done && second.partitionsRolledUp.isEmpty && second.partitionsDropped.isEmpty)
            #expect(try await Self.minutes(store, before: cutoff.start) == expected)
            #expect(try await Self.count(store, "SELECT sum(count)::int8 FROM sample_hour") == rawBefore)
            #expect(Self.same(steppedBefore, try await Self.stepped(store, today.adding(-4).start, noon)))

            // A batch for a dropped day (an agent back after days away) is acknowledged as
            // expired, stored nowhere, and moves the node's mark (the agent marks it delivered).
            let old = Self.batch(node, after: nil, [.init(ts: today.adding(-3).start + 5, clock: .synced, layout: 0, values: [1, 2, 3, 4])])
            let ack = try await store.ingest(old, from: node)
            #expect(ack == SyncWire.SampleAck(storedThrough: old.readings.last?.ts, samples: 4, inserted: 0, duplicates: 0, expired: 4))
            #expect(!(try await Self.partitions(store)).contains(today.adding(-3).partition))
            #expect(try await Self.minutes(store, before: cutoff.start) == expected)
        }
    }

    @Test func aRunStoppedBetweenRollupAndDropResumesWithoutDoubling() async throws {
        let clock = Clock(noon)
        try await TestDatabase.withStore(configuration: Self.configuration(clock, sample: 2 * Self.day)) { store, _ in
            _ = try await Self.fiveDays(store, clock, until: noon)
            let cutoff = today.adding(-2)
            let expected = try await Self.expectedMinutes(store, before: cutoff.start)
            let steppedBefore = try await Self.stepped(store, today.adding(-4).start, noon)
            // The crash: the rollups committed, the partitions not dropped.
            let partial = try await store.runRetention(steps: [.move, .createAhead, .rollUp])
            #expect(partial.partitionsRolledUp.count == 2 && partial.partitionsDropped.isEmpty)
            #expect(try await Self.partitions(store).contains(today.adding(-4).partition))
            #expect(try await Self.minutes(store, before: cutoff.start) == expected)
            // Raw rows of rolled-up days are still there, yet counted once.
            #expect(Self.same(steppedBefore, try await Self.stepped(store, today.adding(-4).start, noon)))
            // Rolling up again is refused by the day's record; the next full run only drops.
            let again = try await store.runRetention(steps: [.rollUp])
            #expect(again.partitionsRolledUp.isEmpty)
            let resumed = try await store.runRetention()
            #expect(resumed.partitionsRolledUp.isEmpty)
            #expect(resumed.partitionsDropped == [today.adding(-4).partition, today.adding(-3).partition])
            #expect(resumed.rowsDropped == 2 * 5760 * 4)
            #expect(try await Self.minutes(store, before: cutoff.start) == expected)
            #expect(try await Self.count(store, "SELECT sum(count)::int8 FROM sample_hour") == 2 * 5760 * 4)
            #expect(Self.same(steppedBefore, try await Self.stepped(store, today.adding(-4).start, noon)))
        }
    }

    @Test func aReplicaSkipsWhileAnotherHoldsTheRetentionLock() async throws {
        let clock = Clock(noon)
        try await TestDatabase.withStore(configuration: Self.configuration(clock)) { store, url in
            var logger = Logger(label: "holder")
            logger.logLevel = .error
            let holder = PostgresClient(configuration: try DatabaseURL(url).clientConfiguration(poolSize: 2), backgroundLogger: logger)
            let running = Task { await holder.run() }
            defer { running.cancel() }
            let (holding, holdingGo) = AsyncStream<Void>.makeStream()
            let (release, releaseGo) = AsyncStream<Void>.makeStream()
            let held = Task {
                try await holder.withConnection { connection in
                    _ = try await connection.query("SELECT pg_advisory_lock(\(CentralStore.retentionLockKey))", logger: logger)
                    holdingGo.yield()
                    for await _ in release { break }
                    _ = try await connection.query("SELECT pg_advisory_unlock(\(CentralStore.retentionLockKey))", logger: logger)
                }
            }
            for await _ in holding { break }
            let skipped = try await store.runRetention()
            #expect(skipped.outcome == .skipped)
            #expect(try await Self.partitions(store).isEmpty, "a skipped run does nothing")
            releaseGo.yield()
            try await held.value
            let done = try await store.runRetention()
            #expect(done.outcome == .done && done.partitionsCreated.count == 3)
        }
    }

    @Test func expiredSamplesAreAcknowledgedAndFutureOnesRefused() async throws {
        let clock = Clock(noon)
        try await TestDatabase.withStore(configuration: Self.configuration(clock)) { store, _ in
            let node = try await Self.node(store, "pi-a")
            // Older than --sample-retention (14 days) before any retention ran: expired, no partition made.
            let ancient = today.adding(-20)
            let all = Self.batch(node, after: nil, Self.readings(from: ancient.start, to: ancient.start + 60_000))
            let ack = try await store.ingest(all, from: node)
            #expect(ack == SyncWire.SampleAck(storedThrough: ancient.start + 45_000, samples: 16, inserted: 0, duplicates: 0, expired: 16))
            #expect(!(try await Self.partitions(store)).contains(ancient.partition))
            // Mixed: the expired prefix is counted, the rest stored.
            let mixed = Self.batch(
                node, after: ack.storedThrough,
                [
                    .init(ts: today.adding(-15).start, clock: .synced, layout: 0, values: [1, 2, 3, 4]),
                    .init(ts: noon - 60_000, clock: .synced, layout: 0, values: [1, 2, 3, 4]),
                ])
            let mixedAck = try await store.ingest(mixed, from: node)
            #expect(mixedAck == SyncWire.SampleAck(storedThrough: noon - 60_000, samples: 8, inserted: 4, duplicates: 0, expired: 4))
            #expect(try await Self.count(store, "SELECT count(*) FROM sample") == 4)
            #expect(try await Self.count(store, "SELECT samples_through FROM node WHERE name = 'pi-a'") == noon - 60_000)

            // More than a day ahead of central's clock: 422 naming the reading; nothing stored.
            let future = Self.batch(
                node, after: noon - 60_000,
                [
                    .init(ts: noon + 3_600_000, clock: .synced, layout: 0, values: [1, 2, 3, 4]),
                    .init(ts: noon + Self.day + 1, clock: .synced, layout: 0, values: [1, 2, 3, 4]),
                ])
            do {
                _ = try await store.ingest(future, from: node)
                Issue.record("a batch a day ahead was accepted")
            } catch CentralStoreError.sampleInFuture(let why) {
                #expect(why.contains("readings[1].ts \(noon + Self.day + 1)"), "\(why)")
            }
            #expect(try await Self.count(store, "SELECT count(*) FROM sample") == 4)
            #expect(try await Self.count(store, "SELECT samples_through FROM node WHERE name = 'pi-a'") == noon - 60_000)
            // Up to a day ahead is accepted (a node whose clock runs a little fast).
            let ahead = Self.batch(node, after: noon - 60_000, [.init(ts: noon + Self.day, clock: .synced, layout: 0, values: [1, 2, 3, 4])])
            #expect(try await store.ingest(ahead, from: node).inserted == 4)
        }
    }

    @Test func minuteRollupsOlderThanTheirRetentionGoByMonthAndHourlyOnesServeReads() async throws {
        let clock = Clock(noon)
        try await TestDatabase.withStore(configuration: Self.configuration(clock, sample: 2 * Self.day, rollup: 31 * Self.day)) { store, _ in
            let node = try await Self.node(store, "pi-a")
            var after: Int64?
            let old = [today.adding(-70), today.adding(-69)]
            for day in old {
                clock.set(day.start + 12 * 3_600_000)
                after = try await Self.post(store, node, Self.readings(from: day.start, to: day.end, interval: 60_000), after: after).last
            }
            clock.set(noon)
            let before = try await Self.stepped(store, old[0].start, old[1].end - 1)
            #expect(before.count == 4 && before.allSatisfy { $0.buckets.count == 48 })
            let report = try await store.runRetention()
            #expect(report.partitionsRolledUp == old.map(\.partition) && report.partitionsDropped == old.map(\.partition))
            let months = Set(old.map(\.month.partition)).sorted()
            #expect(report.minutePartitionsDropped == months)
            #expect(try await Self.partitions(store, "sample_minute").isEmpty)
            #expect(try await Self.count(store, "SELECT minute_from FROM sample_state") == old[1].month.end)
            #expect(try await Self.count(store, "SELECT sum(count)::int8 FROM sample_hour") == 2 * 1440 * 4)
            // The same hourly buckets, now from the hourly rollups.
            #expect(Self.same(before, try await Self.stepped(store, old[0].start, old[1].end - 1)))
            // A finer step falls back to hourly resolution there: each hour's rows land in one bucket.
            let fine = try await Self.stepped(store, old[0].start, old[1].end - 1, step: 60_000)
            #expect(fine.allSatisfy { $0.buckets.count == 48 && $0.buckets.allSatisfy { $0.count == 60 } })
        }
    }

    @Test func theMigrationMovesAnUnpartitionedTableInPlaceWhileCentralServes() async throws {
        let clock = Clock(noon)
        try await TestDatabase.withStore(migrate: false, configuration: Self.configuration(clock, moveBatch: 5_000)) { store, url in
            // A database as the release before partitioning left it, with samples of three days,
            // one older than the retention.
            let partitioning = "2026-12-02 sample partitions, rollups"
            try await store.migrate(Array(CentralMigrations.all.prefix { $0.name != partitioning }))
            let a = try await Self.node(store, "pi-a")
            let b = try await Self.node(store, "pi-b")
            let ids = try await store.resolveSeries(Self.series.map(\.key))
            let days = [today.adding(-20), today.adding(-3)]
            for node in [a, b] {
                for (i, id) in ids.enumerated() {
                    for day in days + [today] {
                        let end = day == today ? noon : day.end
                        _ = try await Self.query(
                            store,
                            """
                            INSERT INTO sample (node_id, series_id, ts, value, clock)
                            SELECT \(node.id), \(id), ts, (ts / 60000 % 997) * 0.25 + \(i), (ts / 60000 % 2)::int2
                            FROM generate_series(\(day.start)::int8, \(end - 1)::int8, 60000) ts
                            """, Int64.self)
                    }
                }
                _ = try await Self.query(
                    store,
                    """
                    UPDATE node SET samples_through = \(noon - 60_000), samples_stored = (SELECT count(*) FROM sample WHERE node_id = \(node.id))
                    WHERE id = \(node.id)
                    """, Int64.self)
            }
            let checksum = """
                SELECT format('%s %s', count(*), md5(string_agg(format('%s,%s,%s,%s,%s', node_id, series_id, ts, value, clock), ';'
                    ORDER BY node_id, series_id, ts))) FROM sample WHERE ts < \(noon)
                """
            let before = try #require(try await Self.query(store, checksum, String.self).first)
            let total = try await Self.count(store, "SELECT count(*) FROM sample")
            #expect(total == 2 * 4 * (1440 + 1440 + 720))
            let expectedOld = try await Self.expectedMinutes(store, before: today.adding(-13).start)

            // The new release migrates: instant, the rows stay where they were.
            let applied = try await store.migrate()
            #expect(applied.first == partitioning)
            #expect(try await Self.count(store, "SELECT count(*) FROM sample_legacy") == total)
            #expect(try await Self.count(store, "SELECT count(*) FROM pg_class WHERE relname = 'sample' AND relkind = 'p'") == 1)
            func readable() async throws -> Int {
                try await store.series(node: "pi-a", name: "bench_metric", labels: ["n": "2"], since: 0, until: noon - 1, limit: 100_000)
                    .first?.points.count ?? 0
            }
            #expect(try await readable() == 3600)

            // Central keeps serving while rows move, batch by batch: every read sees every row
            // once, a replayed sample still waiting in the old table is a duplicate, new ones go in.
            var batches = 0
            var report = RetentionReport()
            var last = noon - 60_000  // the node's mark; new samples come after noon
            while true {
                let done = try await store.postgresClient.withConnection { connection in
                    var r = RetentionReport()
                    let done = try await store.moveLegacyBatch(connection, &r)
                    return (done, r)
                }
                report.legacyRowsMoved += done.1.legacyRowsMoved
                if done.0 { break }
                batches += 1
                #expect(done.1.legacyRowsMoved <= 6_000, "a batch is bounded")
                #expect(try await readable() == 3600)
                let replay = Self.batch(a, after: nil, [.init(ts: today.start, clock: .synced, layout: 0, values: [1, 2, 3, 4])])
                let replayed = try await store.ingest(replay, from: a)
                #expect(replayed.inserted == 0 && replayed.duplicates == 4)
                let ts = noon + Int64(batches) * 1000
                let fresh = Self.batch(a, after: last, [.init(ts: ts, clock: .synced, layout: 0, values: [1, 2, 3, 4])])
                #expect(try await store.ingest(fresh, from: a).inserted == 4)
                last = ts
            }
            #expect(batches >= 3, "\(batches) batches")
            #expect(report.legacyRowsMoved == total)
            #expect(try await Self.count(store, "SELECT count(*) FROM pg_class WHERE relname = 'sample_legacy'") == 0)
            #expect(try await Self.query(store, checksum, String.self).first == before)
            #expect(try await Self.count(store, "SELECT count(*) FROM sample WHERE ts >= \(noon)") == Int64(batches) * 4)
            #expect(try await Self.count(store, "SELECT samples_stored FROM node WHERE name = 'pi-a'") == total / 2 + Int64(batches) * 4)

            // Another replica that still believes in the old table finds it gone and carries on.
            var logger = Logger(label: "replica")
            logger.logLevel = .error
            let replica = try CentralStore(url: try DatabaseURL(url), poolSize: 2, configuration: Self.configuration(clock), logger: logger)
            let running = Task { await replica.run() }
            defer { running.cancel() }
            let late = Self.batch(b, after: nil, [.init(ts: noon + 5, clock: .synced, layout: 0, values: [1, 2, 3, 4])])
            #expect(try await replica.ingest(late, from: b).inserted == 4)
            #expect(
                try await replica.series(node: "pi-b", name: "bench_metric", labels: ["n": "0"], since: 0, until: .max / 2, limit: 100_000)
                    .first?.points.count == 3601)

            // Retention then rolls the old day up like any other.
            let retention = try await store.runRetention()
            #expect(retention.partitionsRolledUp == [days[0].partition] && retention.partitionsDropped == [days[0].partition])
            #expect(try await Self.minutes(store, before: today.adding(-13).start) == expectedOld)
        }
    }
}
