import GRDB
import Sync

/// The hybrid logical clock persisted in the `clock` table. Read and written inside the
/// caller's write transaction, so two processes never issue the same or a decreasing stamp.
enum StoredClock {
    static func load(_ db: Database) throws -> HybridLogicalClock {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT physical, counter FROM clock WHERE id = 1")) else {
            return HybridLogicalClock()
        }
        let counter: Int64 = row["counter"]
        return HybridLogicalClock(physical: row["physical"], counter: UInt16(clamping: counter))
    }

    static func save(_ clock: HybridLogicalClock, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO clock(id, physical, counter) VALUES (1, ?, ?)
                ON CONFLICT(id) DO UPDATE SET physical = excluded.physical, counter = excluded.counter
                """
        ).execute(arguments: [clock.physical, Int64(clock.counter)])
    }

    /// A fresh stamp for a local change.
    static func tick(_ db: Database, now: Int64, node: String) throws -> HLCTimestamp {
        var clock = try load(db)
        let stamp = clock.tick(now: now, node: node)
        try save(clock, db)
        return stamp
    }
}
