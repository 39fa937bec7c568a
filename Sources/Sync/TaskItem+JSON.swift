/// A task's JSON, its one encoder, keys sorted, every key present. `GET /v1/tasks` answers
/// with every task; for a household with thousands of them `JSONEncoder` would first build a
/// tree of the whole list, several times the body in transient memory. This writes it in one
/// pass.
extension TaskItem {
    /// One task.
    public func json() -> [UInt8] {
        var out: [UInt8] = []
        appendJSON(to: &out)
        return out
    }

    /// `{"tasks":[…]}`, keys sorted.
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
