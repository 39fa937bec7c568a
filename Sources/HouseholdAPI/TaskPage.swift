import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `GET /v1/tasks?limit=N&cursor=C`: one page of the list, newest first (`created_at`
/// descending, then ID), and the cursor of the next page. A cursor names the last task of its
/// page by position, so a page stays right when tasks before it are added or deleted.
struct TaskPage {
    /// A list answered without `limit` holds at most this many tasks, and a cursor to the rest.
    static let unpagedBound = 10_000
    static let maxLimit = 1000

    struct Cursor: Equatable {
        var createdAt: Int64
        var id: UUID

        /// `c` + created_at as 16 hex digits + `_` + the ID: opaque to clients.
        var text: String {
            let hex = String(UInt64(bitPattern: createdAt), radix: 16)
            return "c" + String(repeating: "0", count: 16 - hex.count) + hex + "_" + id.lowercasedString
        }

        init(createdAt: Int64, id: UUID) {
            self.createdAt = createdAt
            self.id = id
        }

        init?(_ text: Substring) {
            guard text.hasPrefix("c"), text.count == 1 + 16 + 1 + 36 else { return nil }
            let hex = text.dropFirst().prefix(16)
            guard text.dropFirst(17).first == "_", hex.allSatisfy({ $0.isHexDigit && !$0.isUppercase }),
                let bits = UInt64(hex, radix: 16), let id = UUID(uuidString: String(text.suffix(36))),
                id.lowercasedString == text.suffix(36)
            else { return nil }
            self.init(createdAt: Int64(bitPattern: bits), id: id)
        }

        /// Whether `task` comes after this position in the list's order.
        func precedes(_ task: TaskItem) -> Bool {
            task.createdAt < createdAt || (task.createdAt == createdAt && task.id.lowercasedString > id.lowercasedString)
        }
    }

    /// The query's `limit` and `cursor`; nil when neither is given (the whole list).
    static func request(limit: String?, cursor: String?) throws -> (limit: Int, after: Cursor?)? {
        guard limit != nil || cursor != nil else { return nil }
        var size = 100
        if let limit {
            guard let n = Int(limit), (1...maxLimit).contains(n) else {
                throw APIError.badParameter("limit must be a whole number from 1 to \(maxLimit)")
            }
            size = n
        }
        var after: Cursor?
        if let cursor {
            guard let parsed = Cursor(Substring(cursor)) else {
                throw APIError.badParameter("cursor is not one this API gave (use next_cursor from an earlier page)")
            }
            after = parsed
        }
        return (size, after)
    }

    /// `{"tasks":[...]}` for the page of `tasks` (newest first) after `after`, with
    /// `"next_cursor"` when more follow.
    static func body(_ tasks: [TaskItem], limit: Int, after: Cursor?) -> [UInt8] {
        let start = after.map { position in tasks.firstIndex(where: position.precedes) ?? tasks.count } ?? 0
        let end = min(tasks.count, start + limit)
        var out = TaskItem.listJSON(Array(tasks[start..<end]))
        if end < tasks.count, let last = tasks[start..<end].last {
            out.removeLast()  // the closing brace
            out.append(contentsOf: #","next_cursor":""#.utf8)
            out.append(contentsOf: Cursor(createdAt: last.createdAt, id: last.id).text.utf8)
            out.append(contentsOf: #""}"#.utf8)
        }
        return out
    }
}
