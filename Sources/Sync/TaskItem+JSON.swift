/// The task list as JSON written straight into bytes. `GET /v1/tasks` answers with every task;
/// for a household with thousands of them `JSONEncoder` first builds a tree of the whole list,
/// which costs several times the body in transient memory. This writes the same JSON as the
/// `Codable` form with sorted keys, in one pass.
extension TaskItem {
    /// `{"tasks":[…]}`, each task as `encode(to:)` writes it, keys sorted.
    public static func listJSON(_ tasks: [TaskItem]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(tasks.count * 260 + 16)
        out.append(contentsOf: #"{"tasks":["#.utf8)
        for (i, task) in tasks.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            task.appendJSON(to: &out)
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }

    /// Appends this task's JSON object, keys sorted.
    public func appendJSON(to out: inout [UInt8]) {
        JSONObjectWriter.write(into: &out) { w in
            w.string("assignee", assignee)
            w.time("completed_at", completedAt)
            w.time("created_at", createdAt)
            w.bool("done", done)
            w.time("due_at", dueAt)
            w.uuid("id", id)
            w.string("notes", notes)
            w.string("origin", origin)
            w.string("repeat", repeatRule)
            w.optionalUUID("series", series)
            w.string("title", title)
            w.time("updated_at", updatedAt)
        }
    }
}
