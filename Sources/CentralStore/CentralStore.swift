import HouseholdTime
import Logging
import PostgresNIO
import Sync
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Central's PostgreSQL database: nodes and their tokens, the household's tasks with their
/// merge state, the change feed agents pull, and the samples they push. Stateless apart from
/// caches of immutable facts (series ids), so any number of `edge-central serve` processes
/// can share one database.
public final class CentralStore: Sendable {
    public struct Configuration: Sendable {
        public var clock: WallClock = .system
        public var makeUUID: @Sendable () -> UUID = { UUID() }
        /// How long an operation may wait for PostgreSQL before answering "unavailable".
        public var operationTimeout: Duration = .seconds(5)
        /// How long raw samples and per-minute rollups are kept (`--sample-retention`,
        /// `--rollup-retention`); ingest refuses samples older than the first.
        public var retention = RetentionPolicy()
        /// A sample batch reaching further ahead of central's clock than this is refused (422).
        public var maxFuture: Int64 = 86_400_000
        /// Rows per transaction when moving the unpartitioned table of before the
        /// partitioning migration into the partitions (about; it moves whole pages).
        public var legacyMoveBatch = 50_000
        /// The household's time zone (`--timezone`): where a recurring chore completed through
        /// central's household API has its next local date.
        public var timeZone: HouseholdTimeZone = .utc
        public init() {}
    }

    let client: PostgresClient
    let logger: Logger
    let configuration: Configuration
    let seriesIDs = Mutex<[SeriesKey: Int32]>([:])
    /// Raw partitions known to exist (created or seen by this process); a day is forgotten
    /// when this process drops it, and all are when an insert finds one missing.
    let knownDays = Mutex<Set<SampleDay>>([])
    /// Set once `sample_legacy` (the table of before partitioning) is known to be gone; it
    /// never comes back, so reads and ingest stop looking into it.
    let legacyGone = Atomic<Bool>(false)
    /// Set once migrations are known to be applied; `/readiness` stays 503 before.
    let migrated = Atomic<Bool>(false)

    public init(url: DatabaseURL, poolSize: Int = 20, configuration: Configuration = .init(), logger: Logger) throws {
        self.client = PostgresClient(configuration: try url.clientConfiguration(poolSize: poolSize), backgroundLogger: logger)
        self.logger = logger
        self.configuration = configuration
    }

    /// Runs the connection pool until cancelled (a ServiceLifecycle service, or a task).
    public func run() async {
        await client.run()
    }

    public var postgresClient: PostgresClient { client }

    public var isMigrated: Bool { migrated.load(ordering: .acquiring) }

    /// One round trip to PostgreSQL; throws `.unavailable` if it cannot be made in time.
    public func ping() async throws {
        // A short deadline: /readiness must turn 503 within 3 s of PostgreSQL going away.
        _ = try await operation("ping", timeout: .seconds(1)) {
            try await self.client.query("SELECT 1", logger: self.logger)
        }
    }

    /// Runs `body` with a deadline, mapping "PostgreSQL is not there" to `.unavailable` and
    /// retrying serialization failures and deadlocks (40001, 40P01) up to three times.
    func operation<T: Sendable>(_ name: String, timeout: Duration? = nil, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        var attempt = 0
        while true {
            attempt += 1
            do {
                return try await withDeadline(timeout ?? configuration.operationTimeout, name) { try await body() }
            } catch {
                let error = Self.unwrap(error)
                guard let psql = error as? PSQLError else { throw error }
                let state = psql.serverInfo?[.sqlState]
                // Serialization failure or deadlock (a database whose default isolation is
                // repeatable read or serializable): run the transaction again, a few times with
                // a short random pause; past that it is the client's to retry (503), never a 500.
                if state == "40001" || state == "40P01" {
                    if attempt < 6 {
                        try? await Task.sleep(for: .milliseconds(Int.random(in: 1...(10 << attempt))))
                        continue
                    }
                    throw CentralStoreError.unavailable("\(name): the transaction kept conflicting with others; retry")
                }
                // Class 22, data exception: the request carried a value PostgreSQL cannot hold.
                if let state, state.hasPrefix("22") { throw CentralStoreError.invalidInput(Self.shortDescription(psql)) }
                // 42P01, undefined table: the schema is not migrated yet (serve migrates at start).
                if state == "42P01" { throw CentralStoreError.unavailable("\(name): the database schema is not migrated yet") }
                if let state, !(state.hasPrefix("08") || state.hasPrefix("57P")) { throw psql }
                throw CentralStoreError.unavailable("\(name): \(Self.shortDescription(psql))")
            }
        }
    }

    /// The error inside a failed transaction: ours if the closure threw one, else PostgreSQL's.
    static func unwrap(_ error: any Error) -> any Error {
        guard let tx = error as? PostgresTransactionError else { return error }
        return tx.closureError ?? tx.beginError ?? tx.commitError ?? tx.rollbackError ?? error
    }

    static func shortDescription(_ error: PSQLError) -> String {
        if let message = error.serverInfo?[.message] { return message }
        return "\(error.code)"
    }

    /// Answers within `limit` whatever `body` does. PostgresNIO does not abandon a query on
    /// task cancellation, so a structured race (a task group) would still wait for a query
    /// stuck on a dead server; here the caller gets `.unavailable` at the deadline and the
    /// body, cancelled, finishes on its own. That is safe: every write is idempotent, so a
    /// push that still commits late is `already_known` when the agent retries.
    func withDeadline<T: Sendable>(_ limit: Duration, _ name: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let race = FirstResult<T>()
        let work = Task {
            do { race.finish(.success(try await body())) } catch { race.finish(.failure(error)) }
        }
        let timer = Task {
            try? await Task.sleep(for: limit)
            race.finish(.failure(CentralStoreError.unavailable("\(name): no answer from PostgreSQL within \(limit)")))
        }
        defer {
            work.cancel()
            timer.cancel()
        }
        return try await withTaskCancellationHandler {
            try await race.value()
        } onCancel: {
            race.finish(.failure(CancellationError()))
        }
    }

    func now() -> Int64 { configuration.clock.nowMillis() }

    /// Central's clock (the configured `WallClock`), in milliseconds since the epoch.
    public func nowMillis() -> Int64 { now() }
}

extension PostgresRowSequence {
    /// Every row decoded; for small results.
    func collect<each T: PostgresDecodable & Sendable>(_ types: (repeat each T).Type) async throws -> [(repeat each T)] {
        var out: [(repeat each T)] = []
        for try await row in self.decode(types) { out.append(row) }
        return out
    }
}

extension PostgresRowSequence {
    /// The single column of every row.
    func column<T: PostgresDecodable & Sendable>(_ type: T.Type) async throws -> [T] {
        var out: [T] = []
        for try await value in self.decode(T.self) { out.append(value) }
        return out
    }
}

/// The first of several racing results, delivered to one waiter; later ones are dropped.
final class FirstResult<T: Sendable>: Sendable {
    private enum State {
        case empty
        case waiting(CheckedContinuation<T, any Error>)
        case done(Result<T, any Error>)
        case delivered
    }
    private let state = Mutex<State>(.empty)

    func finish(_ result: Result<T, any Error>) {
        let waiter: CheckedContinuation<T, any Error>? = state.withLock { state in
            switch state {
            case .empty:
                state = .done(result)
                return nil
            case .waiting(let continuation):
                state = .delivered
                return continuation
            case .done, .delivered:
                return nil
            }
        }
        waiter?.resume(with: result)
    }

    func value() async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<T, any Error>? = state.withLock { state in
                if case .done(let result) = state {
                    state = .delivered
                    return result
                }
                state = .waiting(continuation)
                return nil
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
