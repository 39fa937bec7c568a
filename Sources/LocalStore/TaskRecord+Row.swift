import GRDB
import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension TaskRecord {
    init(row: Row) throws {
        let idText: String = row["id"]
        guard let id = UUID(uuidString: idText) else {
            throw LocalStoreError.database("task row with invalid id")
        }
        self.init(id: id, createdAt: row["created_at"], origin: row["origin"])
        title = row["title"]
        titleStamp = Self.stamp(row["title_v"])
        notes = row["notes"]
        notesStamp = Self.stamp(row["notes_v"])
        dueAt = row["due_at"]
        dueAtStamp = Self.stamp(row["due_at_v"])
        assignee = row["assignee"]
        assigneeStamp = Self.stamp(row["assignee_v"])
        done = row["done"]
        completedAt = row["completed_at"]
        doneStamp = Self.stamp(row["done_v"])
        deleted = row["deleted"]
        deletedStamp = Self.stamp(row["deleted_v"])
        repeatRule = row["repeat_rule"]
        repeatStamp = Self.stamp(row["repeat_v"])
        series = (row["series"] as String?).flatMap(UUID.init(uuidString:))
    }

    private static func stamp(_ text: String?) -> HLCTimestamp? {
        text.flatMap(HLCTimestamp.init)
    }

    /// Inserts or replaces the row.
    func save(_ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO task (
                    id, title, title_v, notes, notes_v, due_at, due_at_v, assignee, assignee_v,
                    done, completed_at, done_v, deleted, deleted_v, created_at, updated_at, origin,
                    repeat_rule, repeat_v, series)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            id.lowercasedString, title, titleStamp?.description, notes, notesStamp?.description,
            dueAt, dueAtStamp?.description, assignee, assigneeStamp?.description,
            done, completedAt, doneStamp?.description, deleted, deletedStamp?.description,
            createdAt, updatedAt, origin,
            repeatRule, repeatStamp?.description, series?.lowercasedString,
        ])
    }

    static func fetch(_ db: Database, id: UUID) throws -> TaskRecord? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM task WHERE id = ?"), arguments: [id.lowercasedString])
            .map(TaskRecord.init(row:))
    }
}
