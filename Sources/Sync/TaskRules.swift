/// The limits of a task's fields, checked wherever a task is written (CLI, HTTP API, and
/// central for changes that arrive from agents). Lengths count Unicode scalars, as
/// PostgreSQL's `char_length` does.
///
/// Text is stored exactly as accepted, or refused: C0 control characters (U+0000–U+001F)
/// and DEL are refused in the title and assignee, and in notes all but tab, line feed and
/// carriage return are. SQLite's C strings and PostgreSQL's `text` both end at U+0000, so
/// accepting it would store something other than what was acknowledged.
public enum TaskRules {
    public static let maxTitle = 200
    public static let maxNotes = 4000
    public static let maxAssignee = 100

    /// The title trimmed of surrounding whitespace, or an error naming the field.
    public static func title(_ raw: String) throws(InvalidFieldError) -> String {
        let title = trimmed(raw)
        guard !title.isEmpty else { throw InvalidFieldError(field: "title", message: "title must not be empty") }
        try refuseControls(title, field: "title", allowing: [])
        guard title.unicodeScalars.count <= maxTitle else {
            throw InvalidFieldError(
                field: "title", message: "title is \(title.unicodeScalars.count) characters; at most \(maxTitle) allowed")
        }
        return title
    }

    public static func notes(_ raw: String) throws(InvalidFieldError) -> String {
        guard raw.unicodeScalars.count <= maxNotes else {
            throw InvalidFieldError(
                field: "notes", message: "notes are \(raw.unicodeScalars.count) characters; at most \(maxNotes) allowed")
        }
        try refuseControls(raw, field: "notes", allowing: ["\t", "\n", "\r"])
        return raw
    }

    /// A due time `RFC3339.format` can write back: a year from 0001 to 9999 in UTC.
    public static func dueAt(_ millis: Int64?) throws(InvalidFieldError) -> Int64? {
        guard let millis else { return nil }
        guard RFC3339.representable.contains(millis) else {
            throw InvalidFieldError(field: "due_at", message: "due_at must fall in the years 0001 to 9999 (UTC)")
        }
        return millis
    }

    /// The assignee trimmed; empty means nobody (`nil`).
    public static func assignee(_ raw: String?) throws(InvalidFieldError) -> String? {
        guard let raw else { return nil }
        let who = trimmed(raw)
        if who.isEmpty { return nil }
        try refuseControls(who, field: "assignee", allowing: [])
        guard who.unicodeScalars.count <= maxAssignee else {
            throw InvalidFieldError(
                field: "assignee", message: "assignee is \(who.unicodeScalars.count) characters; at most \(maxAssignee) allowed")
        }
        return who
    }

    /// Checks a patch as a whole and returns it normalised (trimmed title and assignee).
    public static func validate(_ patch: TaskPatch) throws(InvalidFieldError) -> TaskPatch {
        var patch = patch
        if let t = patch.title { patch.title = try title(t) }
        if let n = patch.notes { patch.notes = try notes(n) }
        if case .value(let who)? = patch.assignee { patch.assignee = FieldValue(try assignee(who)) }
        if case .value(let due)? = patch.dueAt { _ = try dueAt(due) }
        if case .value(let rule)? = patch.repeatRule { patch.repeatRule = .value(try RepeatRule.parse(rule).description) }
        return patch
    }

    static func refuseControls(_ text: String, field: String, allowing allowed: Set<Unicode.Scalar>) throws(InvalidFieldError) {
        for scalar in text.unicodeScalars where (scalar.value < 0x20 || scalar.value == 0x7F) && !allowed.contains(scalar) {
            let hex = String(scalar.value, radix: 16, uppercase: true)
            let code = "U+" + String(repeating: "0", count: 4 - hex.count) + hex
            throw InvalidFieldError(field: field, message: "\(field) must not contain the control character \(code)")
        }
    }

    static func trimmed(_ s: String) -> String {
        let scalars = s.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
            let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}

/// A field that breaks the rules. `message` is a sentence for people and names the field.
public struct InvalidFieldError: Error, Equatable, CustomStringConvertible {
    public var field: String
    public var message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { message }
}
