import ArgumentParser
import CommandLineSupport
import GRDBSQLite
import LocalStore
import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// Durable single-task commits per second through LocalStore, beside raw SQLite C calls doing
/// the same commits (clock update, task row, change-log row; WAL, synchronous=FULL) in the same
/// run: the physical limit of this disk. Rounds alternate so machine noise hits both alike.
struct StoreCommitBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store-commits", abstract: "Durable task commits/s: LocalStore vs raw SQLite.")

    @Option(help: "Commits per round.") var commits = 1000
    @Option(help: "Rounds per contender.") var rounds = 5
    @Option(help: "Directory for the scratch databases (on the disk to measure).") var dir = ".build/bench"
    @Option(help: "Run only one contender: raw or store (for profiling).") var only: String?

    func run() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var raw: [Double] = [], store: [Double] = []
        for round in 1...rounds {
            raw.append(only == "store" ? .nan : try rawRound(round))
            store.append(only == "raw" ? .nan : try storeRound(round))
            Output.progress("round \(round)/\(rounds): raw \(Self.rate(raw.last!)), LocalStore \(Self.rate(store.last!))")
        }
        let rawMedian = median(raw), storeMedian = median(store)
        if only != nil {
            Output.line(
                "store-commits: raw SQLite median \(Self.rate(rawMedian)) commits, LocalStore median \(Self.rate(storeMedian)) commits; "
                    + "\(commits) commits x \(rounds) rounds")
            return
        }
        Output.line(
            "store-commits: raw SQLite median \(Int(rawMedian)) commits/s, LocalStore median \(Int(storeMedian)) commits/s, "
                + "ratio \(Self.format(storeMedian / rawMedian)) (target >= 0.70); \(commits) commits x \(rounds) rounds")
    }

    func storeRound(_ round: Int) throws -> Double {
        let path = "\(dir)/store-\(round)"
        try? FileManager.default.removeItem(atPath: path)
        let store = try LocalStore(directory: path, configuration: .init(nodeName: "bench"))
        _ = try store.createTask(NewTask(title: "warm-up"))
        let start = Monotonic.now()
        for i in 0..<commits {
            _ = try store.createTask(NewTask(title: "task \(i)"))
        }
        let seconds = Monotonic.seconds(since: start)
        try store.close()
        try? FileManager.default.removeItem(atPath: path)
        return Double(commits) / seconds
    }

    func rawRound(_ round: Int) throws -> Double {
        let path = "\(dir)/raw-\(round).db"
        for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
        var db: OpaquePointer?
        guard sqlite3_open(path, &db) == SQLITE_OK, let db else { throw BenchError("cannot open \(path)") }
        defer {
            sqlite3_close(db)
            for suffix in ["", "-wal", "-shm"] { unlink(path + suffix) }
        }
        try exec(
            db,
            """
            PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000;
            CREATE TABLE task (id TEXT PRIMARY KEY NOT NULL, title TEXT NOT NULL DEFAULT '', title_v TEXT,
              notes TEXT NOT NULL DEFAULT '', notes_v TEXT, due_at INTEGER, due_at_v TEXT, assignee TEXT, assignee_v TEXT,
              done INTEGER NOT NULL DEFAULT 0, completed_at INTEGER, done_v TEXT, deleted INTEGER NOT NULL DEFAULT 0,
              deleted_v TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, origin TEXT NOT NULL) WITHOUT ROWID;
            CREATE INDEX task_by_created ON task(deleted, created_at DESC, id);
            CREATE TABLE change_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, change_id TEXT NOT NULL UNIQUE,
              task_id TEXT NOT NULL, stamp TEXT NOT NULL, body TEXT NOT NULL, recorded_at INTEGER NOT NULL);
            CREATE TABLE clock (id INTEGER PRIMARY KEY CHECK (id = 1), physical INTEGER NOT NULL, counter INTEGER NOT NULL);
            INSERT INTO clock VALUES (1, 0, 0);
            """)
        let clock = try prepare(db, "UPDATE clock SET physical = ?, counter = 0 WHERE id = 1")
        let task = try prepare(
            db,
            """
            INSERT INTO task (id, title, title_v, notes, notes_v, due_at_v, assignee_v, done_v, deleted_v, created_at, updated_at, origin)
            VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, ?, ?, 'bench')
            """)
        let log = try prepare(db, "INSERT INTO change_log (change_id, task_id, stamp, body, recorded_at) VALUES (?, ?, ?, ?, ?)")
        defer { for statement in [clock, task, log] { sqlite3_finalize(statement) } }
        let start = Monotonic.now()
        for i in 0..<commits {
            let now = WallClock.system.nowMillis()
            let id = UUID().lowercasedString, stamp = "\(now)-0000-bench"
            let body = #"{"change_id":"\#(UUID().lowercasedString)","task_id":"\#(id)","set":{"title":"task \#(i)"}}"#
            try exec(db, "BEGIN IMMEDIATE")
            sqlite3_bind_int64(clock, 1, now)
            try step(clock)
            bindText(task, 1, id); bindText(task, 2, "task \(i)")
            for column in 3...8 { bindText(task, Int32(column), stamp) }
            sqlite3_bind_int64(task, 9, now); sqlite3_bind_int64(task, 10, now)
            try step(task)
            bindText(log, 1, UUID().lowercasedString); bindText(log, 2, id); bindText(log, 3, stamp); bindText(log, 4, body)
            sqlite3_bind_int64(log, 5, now)
            try step(log)
            try exec(db, "COMMIT")
        }
        return Double(commits) / Monotonic.seconds(since: start)
    }

    private func exec(_ db: OpaquePointer, _ sql: String) throws {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else {
            throw BenchError("sqlite: \(String(cString: sqlite3_errmsg(db)))")
        }
    }

    private func prepare(_ db: OpaquePointer, _ sql: String) throws -> OpaquePointer {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw BenchError("sqlite: \(String(cString: sqlite3_errmsg(db)))")
        }
        return statement
    }

    private func step(_ statement: OpaquePointer) throws {
        guard sqlite3_step(statement) == SQLITE_DONE else { throw BenchError("sqlite step failed") }
        sqlite3_reset(statement)
    }

    private func bindText(_ statement: OpaquePointer, _ index: Int32, _ text: String) {
        // SQLITE_TRANSIENT: SQLite copies the bytes.
        sqlite3_bind_text(statement, index, text, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
    }

    /// `1234/s`, or `-` for a contender that did not run.
    static func rate(_ value: Double) -> String { value.isFinite ? "\(Int(value))/s" : "-" }

    private func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func format(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Monotonic time for measuring (never the wall clock).
enum Monotonic {
    static func now() -> timespec {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return ts
    }

    static func seconds(since start: timespec) -> Double {
        let end = now()
        return Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9
    }
}
