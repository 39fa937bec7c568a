/// The limits of PRODUCT.md §3, checked wherever a task is written (CLI, HTTP API, and
/// central for changes that arrive from agents). Lengths count Unicode scalars, as
/// PostgreSQL's `char_length` does.
public enum TaskRules {
    public static let maxTitle = 200
    public static let maxNotes = 4000
    public static let maxAssignee = 100

    /// The title trimmed of surrounding whitespace, or an error naming the field.
    public static func title(_ raw: String) throws(InvalidFieldError) -> String {
        let title = trimmed(raw)
        guard !title.isEmpty else { throw InvalidFieldError(field: "title", message: "title must not be empty") }
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
        return raw
    }

    /// The assignee trimmed; empty means nobody (`nil`).
    public static func assignee(_ raw: String?) throws(InvalidFieldError) -> String? {
        guard let raw else { return nil }
        let who = trimmed(raw)
        if who.isEmpty { return nil }
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
        return patch
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
