import HouseholdTime
import Sync

/// How tasks look on a terminal.
enum TaskPrinter {
    /// One line per task: `[ ] 3f2a9c1e  2026-11-23  mum  Buy milk`, due dates in local time.
    static func table(_ tasks: [TaskItem], zone: HouseholdTimeZone) -> [String] {
        let due = tasks.map { $0.dueAt.map { WhenParser.display($0, zone: zone) } ?? "-" }
        let who = tasks.map { $0.assignee ?? "-" }
        let dueWidth = max(3, due.map(\.count).max() ?? 0)
        let whoWidth = max(8, who.map(\.count).max() ?? 0)
        var lines = ["    " + pad("ID", 8) + "  " + pad("DUE", dueWidth) + "  " + pad("ASSIGNEE", whoWidth) + "  TITLE"]
        for (i, task) in tasks.enumerated() {
            lines.append(
                (task.done ? "[x] " : "[ ] ") + task.shortID + "  " + pad(due[i], dueWidth) + "  " + pad(who[i], whoWidth)
                    + "  " + oneLine(task.title) + (task.repeatRule.map { "  (\($0))" } ?? ""))
        }
        return lines
    }

    /// A short description for confirmations: `3f2a9c1e "Buy milk"`.
    static func brief(_ task: TaskItem) -> String {
        "\(task.shortID) \"\(oneLine(task.title))\""
    }

    /// Every field, one per line; times in local time with their offset, whole seconds.
    static func detail(_ task: TaskItem, zone: HouseholdTimeZone) -> [String] {
        [
            "id:           \(task.id.lowercasedString)",
            "title:        \(task.title)",
            "state:        \(task.done ? "done" : "open")",
            "due:          \(task.dueAt.map(zone.format(millis:)) ?? "-")",
            "assignee:     \(task.assignee ?? "-")",
            "repeat:       \(task.repeatRule ?? "-")",
            "notes:        \(task.notes.isEmpty ? "-" : task.notes)",
            "completed at: \(task.completedAt.map(zone.format(millis:)) ?? "-")",
            "created at:   \(zone.format(millis: task.createdAt)) on \(task.origin)",
            "updated at:   \(zone.format(millis: task.updatedAt))",
        ]
    }

    private static func pad(_ s: String, _ width: Int) -> String {
        s.count >= width ? s : s + String(repeating: " ", count: width - s.count)
    }

    private static func oneLine(_ s: String) -> String {
        String(s.map { $0.isNewline ? " " : $0 })
    }
}
