import GRDB
import HouseholdTime
import Sync
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// The node's database: one SQLite file, `agent.db`, in the data directory.
///
/// The single owner of the database connection. The daemon and the CLI each open one; SQLite's
/// WAL mode, IMMEDIATE write transactions and a busy timeout let both write at once without
/// either seeing "database is locked". Every task write is one transaction holding the task
/// row, its change-log entry and the clock state, committed with `synchronous=FULL`, so a write
/// that returned is on disk.
public final class LocalStore: Sendable {
    /// The database file name inside the data directory.
    public static let fileName = "agent.db"

    /// Options with their defaults.
    public struct Configuration: Sendable {
        /// This replica's name: the tie-break in clock stamps and the `origin` of tasks it creates.
        public var nodeName: String
        /// Source of wall-clock time for stamps.
        public var clock: WallClock = .system
        /// This boot and the time since it began: which readings may still be re-timed.
        public var boot: BootClock = .system
        /// Source of task and change IDs.
        public var makeUUID: @Sendable () -> UUID = { UUID() }
        /// How long a writer waits for another process's transaction before failing.
        /// Task transactions take milliseconds, so 10 s is only reached if something is wrong.
        public var busyTimeoutSeconds: Double = 10
        /// A hard ceiling on the database file (SQLite's `max_page_count`): a write past it fails
        /// as ``LocalStoreError/storageFull`` exactly as a full disk does. `nil`: only the disk limits it.
        public var hardLimitBytes: Int64?
        /// The household's time zone: where a recurring chore's next local date falls.
        public var timeZone: HouseholdTimeZone = .utc

        public init(nodeName: String) {
            self.nodeName = nodeName
        }
    }

    /// Full path of the database file.
    public let path: String
    public let configuration: Configuration
    let pool: DatabasePool
    /// Cache of the metric series dictionary.
    let catalog = MetricCatalog()
    /// The file opened, and whether it may still be written (see ``StoreHealth``).
    let identity: FileIdentity?
    let healthState = Mutex(StoreHealth.ok)
    let flags: FileFlagsWatch

    /// Opens (creating if needed) the database in `directory` and brings its schema up to date.
    /// Never overwrites a file that is not an SQLite database.
    public init(directory: String, configuration: Configuration) throws {
        try Self.prepareDirectory(directory)
        let path = directory.hasSuffix("/") ? directory + Self.fileName : directory + "/" + Self.fileName
        self.path = path
        self.configuration = configuration

        var db = GRDB.Configuration()
        db.busyMode = .timeout(configuration.busyTimeoutSeconds)
        db.label = "edge-agent"
        // Creating the file, switching it to WAL and migrating must not race with another
        // process doing the same (SQLite answers "locked" there without waiting), so opening
        // holds an exclusive lock on the data directory. Steady-state writes need no lock.
        let directoryLock = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryLock >= 0 { flock(directoryLock, LOCK_EX) }
        defer { if directoryLock >= 0 { Glibc.close(directoryLock) } }
        do {
            pool = try DatabasePool(path: path, configuration: db)
            // Durable commits: a write that returned survives power loss. Set after opening:
            // GRDB's WAL setup sets NORMAL on the writer connection after `prepareDatabase`.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                if let limit = configuration.hardLimitBytes {
                    let pageSize = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 4096
                    _ = try Int64.fetchOne(db, sql: "PRAGMA max_page_count = \(max(1, limit / pageSize))")
                }
            }
        } catch {
            throw Self.translate(error, path: path)
        }
        identity = FileIdentity(path: path)
        flags = FileFlagsWatch(paths: [path, path + "-wal", path + "-shm"])
        do {
            try Self.migrator.migrate(pool)
        } catch {
            // A file SQLite opens but whose schema it cannot read is damaged, not foreign: the
            // store opens unusable (health `corrupt`), so the daemon can still start, answer
            // /health, say what is wrong and write nothing; every read and write refuses.
            guard case LocalStoreError.corrupt(_, let detail) = Self.translate(error, path: path) else {
                throw Self.translate(error, path: path)
            }
            healthState.withLock { $0 = .corrupt(path: path, detail: detail) }
        }
    }

    /// Whether the database may still be written; checks that the file at `path` is still
    /// the one open (one `stat`). Sticky: once not `ok`, it stays so until restart.
    public func health() -> StoreHealth {
        let current = healthState.withLock { $0 }
        guard current == .ok else { return current }
        if flags.anyUnwritable { return .immutable(path: path) }
        guard let identity else { return current }
        let now: StoreHealth
        if let found = FileIdentity(path: path) {
            now = found == identity ? .ok : .replaced(path: path)
        } else {
            now = errno == ENOENT ? .missing(path: path) : .ok
        }
        guard now != .ok else { return .ok }
        return healthState.withLock { state in
            if state == .ok { state = now }
            return state
        }
    }

    /// Marks the database damaged: no more writes.
    func markCorrupt(_ detail: String) {
        healthState.withLock { state in
            if state == .ok { state = .corrupt(path: path, detail: detail) }
        }
    }

    /// SQLite's `quick_check` (structure, not content; a few milliseconds per megabyte):
    /// damage found marks the store corrupt. Returns the health after the check.
    @discardableResult
    public func quickCheck() -> StoreHealth {
        do {
            let problems = try pool.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check(5)") }
            if problems != ["ok"] { markCorrupt(problems.first.map { String($0.prefix(200)) } ?? "quick_check failed") }
        } catch {
            _ = translate(error)
        }
        return health()
    }

    /// Runs `body` in one IMMEDIATE write transaction, translating SQLite errors. Refused
    /// without touching the file once the store is not healthy.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        let health = health()
        guard health == .ok else { throw LocalStoreError.unavailable(health) }
        do {
            return try pool.write(body)
        } catch {
            throw translate(error)
        }
    }

    /// `write` in one immediate transaction committed with `synchronous=NORMAL`: atomic, and
    /// safe from a killed process, but not fsynced until the next `FULL` commit or checkpoint.
    /// For readings and the sample marks, whose last seconds a power cut may cost.
    func writeWithoutFsync<T>(_ body: (Database) throws -> T) throws -> T {
        let health = health()
        guard health == .ok else { throw LocalStoreError.unavailable(health) }
        do {
            return try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                defer { try? db.execute(sql: "PRAGMA synchronous = FULL") }
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch {
            throw translate(error)
        }
    }

    /// `translate`, noting damage reported by SQLite so nothing more is written.
    func translate(_ error: any Error) -> any Error {
        let translated = Self.translate(error, path: path)
        switch translated as? LocalStoreError {
        case .corrupt(_, let detail)?: markCorrupt(detail)
        case .notADatabase?: markCorrupt("not an SQLite database any more")
        default: break
        }
        return translated
    }

    /// The writer connection's `PRAGMA synchronous` (2 = FULL).
    public func writerSynchronousMode() throws -> Int {
        try pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1 }
    }

    /// Runs `body` on a read-only snapshot, translating SQLite errors. Inside ``readTogether(_:)`` it runs on that
    /// call's snapshot.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        if let shared = SharedRead.current, shared.store === self {
            do {
                return try body(shared.db)
            } catch {
                throw translate(error)
            }
        }
        // A read may write SQLite's shared-memory index too (see FileFlagsWatch).
        if flags.anyUnwritable { throw LocalStoreError.unavailable(.immutable(path: path)) }
        do {
            return try pool.read(body)
        } catch {
            throw translate(error)
        }
    }

    /// Maps GRDB errors to the store's own; passes the store's own errors through.
    static func translate(_ error: any Error, path: String) -> any Error {
        if error is LocalStoreError { return error }
        if let error = error as? InvalidFieldError { return LocalStoreError.invalid(error) }
        guard let error = error as? DatabaseError else { return error }
        switch error.resultCode {
        case .SQLITE_NOTADB: return LocalStoreError.notADatabase(path: path)
        case .SQLITE_CORRUPT: return LocalStoreError.corrupt(path: path, detail: error.message ?? "malformed")
        case .SQLITE_FULL: return LocalStoreError.storageFull
        case .SQLITE_CANTOPEN, .SQLITE_READONLY, .SQLITE_PERM:
            return LocalStoreError.dataDirectoryUnusable(
                path: path, reason: error.message ?? "cannot open the database file")
        default: return LocalStoreError.database(error.message ?? "\(error.resultCode)")
        }
    }

    /// Creates the directory if needed and proves it is writable, before SQLite gets a chance
    /// to fail with a less helpful message.
    static func prepareDirectory(_ directory: String) throws {
        var info = stat()
        if stat(directory, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw LocalStoreError.dataDirectoryUnusable(path: directory, reason: "it is not a directory")
            }
        } else {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw LocalStoreError.dataDirectoryUnusable(path: directory, reason: "cannot create it (\(Self.reason(error)))")
            }
        }
        let probe = directory + "/.write-test-\(getpid())"
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw LocalStoreError.dataDirectoryUnusable(path: directory, reason: "not writable (\(String(cString: strerror(errno))))")
        }
        Glibc.close(fd)
        unlink(probe)
    }

    private static func reason(_ error: any Error) -> String {
        if let error = error as? CocoaError, let underlying = error.underlying as? POSIXError {
            return String(cString: strerror(underlying.code.rawValue))
        }
        return "\(error)"
    }
}
