import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Request bodies for tasks, checked field by field (422 naming the field).
enum TaskInput {
    static let createFields: Set<String> = ["id", "title", "notes", "due_at", "assignee", "repeat"]
    static let patchFields: Set<String> = ["title", "notes", "due_at", "assignee", "done", "repeat"]

    /// `POST /v1/tasks`: title required; id (a client-chosen UUID), notes, due_at, assignee optional.
    static func create(_ body: [String: JSONValue]) throws -> NewTask {
        try rejectUnknown(body, allowed: createFields)
        guard let titleValue = body["title"] else { throw APIError.invalidField("title is required") }
        let title = try string(titleValue, "title")
        let notes = try body["notes"].map { try string($0, "notes") } ?? ""
        let dueAt = try body["due_at"].map { try time($0, "due_at") } ?? nil
        let assignee = try body["assignee"].map { try optionalString($0, "assignee") } ?? nil
        let id = try body["id"].map { value -> UUID in
            guard case .string(let text) = value, let id = UUID(uuidString: text) else {
                throw APIError.invalidField(
                    "id must be a UUID string such as 0b6f1c2e-5d3a-4f7e-9a41-2c8d7e6f5a10, not \(value.typeName == "string" ? "that text" : value.typeName)")
            }
            return id
        }
        let rule = try body["repeat"].map { try repeatRule($0) } ?? nil
        return NewTask(title: title, notes: notes, dueAt: dueAt, assignee: assignee, id: id, repeatRule: rule)
    }

    /// `PATCH /v1/tasks/{id}`: any of title, notes, due_at, assignee, done.
    static func patch(_ body: [String: JSONValue]) throws -> TaskPatch {
        try rejectUnknown(body, allowed: patchFields)
        var patch = TaskPatch()
        if let v = body["title"] { patch.title = try string(v, "title") }
        if let v = body["notes"] { patch.notes = try string(v, "notes") }
        if let v = body["due_at"] { patch.dueAt = FieldValue(try time(v, "due_at")) }
        if let v = body["assignee"] { patch.assignee = FieldValue(try optionalString(v, "assignee")) }
        if let v = body["repeat"] { patch.repeatRule = FieldValue(try repeatRule(v)) }
        if let v = body["done"] {
            guard case .bool(let done) = v else { throw APIError.invalidField("done must be true or false, not \(v.typeName)") }
            patch.done = DoneState(done: done, completedAt: nil)
        }
        return patch
    }

    private static func rejectUnknown(_ body: [String: JSONValue], allowed: Set<String>) throws {
        if let unknown = body.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIError.invalidField(
                "unknown field \"\(unknown.prefix(40))\"; allowed: \(allowed.sorted().joined(separator: ", "))")
        }
    }

    private static func string(_ value: JSONValue, _ field: String) throws -> String {
        guard case .string(let s) = value else { throw APIError.invalidField("\(field) must be a string, not \(value.typeName)") }
        return s
    }

    private static func optionalString(_ value: JSONValue, _ field: String) throws -> String? {
        if value == .null { return nil }
        guard case .string(let s) = value else {
            throw APIError.invalidField("\(field) must be a string or null, not \(value.typeName)")
        }
        return s
    }

    /// A repeat rule, checked here so that the 422 names the field and shows the grammar.
    private static func repeatRule(_ value: JSONValue) throws -> String? {
        guard let text = try optionalString(value, "repeat") else { return nil }
        do { return try RepeatRule.parse(text).description } catch { throw APIError.invalidField(error.message) }
    }

    private static func time(_ value: JSONValue, _ field: String) throws -> Int64? {
        switch value {
        case .null: return nil
        case .string(let s):
            guard let millis = RFC3339.parse(s) else {
                throw APIError.invalidField("\(field) must be an RFC 3339 date-time such as 2026-11-23T18:00:00Z, or null")
            }
            return millis
        default:
            throw APIError.invalidField("\(field) must be an RFC 3339 date-time string or null, not \(value.typeName)")
        }
    }
}
