import ArgumentParser
import CommandLineSupport
import HouseholdTime
import LocalStore
import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `edge-agent tasks ...`: the household's task list, straight from the local database.
/// Safe while the daemon runs; works offline; changes sync upstream like any other.
struct TasksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks",
        abstract: "List, add, edit and complete the household's tasks on this node.",
        discussion: "IDs may be shortened to any unique prefix, e.g. the 8 characters `tasks list` shows.",
        subcommands: [List.self, Add.self, Show.self, Done.self, Undo.self, Edit.self, Remove.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tasks, newest first (open ones unless told).")
        @OptionGroup var store: StoreOptions
        @OptionGroup var time: TimeZoneOptions
        @Flag(help: "Include done tasks.") var all = false
        @Flag(help: "Only done tasks.") var done = false
        @Flag(help: "Print JSON: {\"tasks\": [...]}, as the HTTP API does.") var json = false

        func validate() throws {
            if all && done { throw ValidationError("--all and --done cannot be used together") }
        }

        func run() throws {
            try reportingErrors {
                let state: TaskState = all ? .all : done ? .done : .open
                let zone = try time.zone()
                let tasks = try store.openExistingStore(zone: zone).tasks(state)
                if json {
                    Output.json(bytes: TaskItem.listJSON(tasks))
                } else if tasks.isEmpty {
                    Output.line(state == .all ? "no tasks" : "no \(state.rawValue) tasks")
                } else {
                    TaskPrinter.table(tasks, zone: zone).forEach(Output.line)
                }
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a task.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var time: TimeZoneOptions
        @Argument(help: "What needs doing (1-200 characters).") var title: String
        @Option(help: "When it is due: RFC 3339, YYYY-MM-DD, today, tomorrow, a weekday (tue), +2h, +3d; dates end at 23:59:59 local time.") var due: String?
        @Option(help: "Longer notes (up to 4000 characters).") var notes: String = ""
        @Option(help: "Who should do it.") var assignee: String?
        @Option(
            name: .customLong("repeat"),
            help: ArgumentHelp(
                "Make it a recurring chore: \(RepeatRule.grammar). Completing it creates the next one; "
                    + "weekly:/monthly:/yearly: without --due start on the first matching day.", valueName: "rule"))
        var repeatRule: String?
        @Flag(help: "Print the task as JSON.") var json = false

        func run() throws {
            try reportingErrors {
                let zone = try time.zone()
                let dueAt = try due.map { try DueOption.parse($0, zone: zone) }
                let rule = try repeatRule.map { try RepeatOption.parse($0) }
                let task = try store.openStore(zone: zone).createTask(
                    NewTask(title: title, notes: notes, dueAt: dueAt, assignee: assignee, repeatRule: rule))
                if json { Output.json(bytes: task.json()) } else { Output.line("added \(TaskPrinter.brief(task))") }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show every field of one task.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var time: TimeZoneOptions
        @Argument(help: "Task ID or unique prefix.") var id: String
        @Flag(help: "Print the task as JSON.") var json = false

        func run() throws {
            try reportingErrors {
                let zone = try time.zone()
                let local = try store.openExistingStore()
                let uuid = try local.resolveTaskID(id)
                guard let task = try local.task(id: uuid) else { throw LocalStoreError.taskNotFound(id) }
                if json { Output.json(bytes: task.json()) } else { TaskPrinter.detail(task, zone: zone).forEach(Output.line) }
            }
        }
    }

    struct Done: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark a task done.", discussion: "Completing a recurring chore creates its next occurrence.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var time: TimeZoneOptions
        @Argument(help: "Task ID or unique prefix.") var id: String
        @Flag(help: "Print the task as JSON.") var json = false

        func run() throws {
            try reportingErrors {
                try TaskEdit.apply(store: store, zone: try time.zone(), id: id, json: json, verb: "done", already: "already done") {
                    TaskPatch(done: DoneState(done: true, completedAt: nil))
                }
            }
        }
    }

    struct Undo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reopen a done task.",
            discussion: "Reopening a recurring chore removes the next occurrence its completion created, unless it was changed since.")
        @OptionGroup var store: StoreOptions
        @OptionGroup var time: TimeZoneOptions
        @Argument(help: "Task ID or unique prefix.") var id: String
        @Flag(help: "Print the task as JSON.") var json = false

        func run() throws {
            try reportingErrors {
                try TaskEdit.apply(store: store, zone: try time.zone(), id: id, json: json, verb: "reopened", already: "already open") {
                    TaskPatch(done: DoneState(done: false, completedAt: nil))
                }
            }
        }
    }

    struct Edit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a task's title, notes, due date, assignee or repeat rule.",
            discussion: "A new repeat rule applies from the next occurrence on; done occurrences keep theirs.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Task ID or unique prefix.") var id: String
        @Option(help: "New title.") var title: String?
        @Option(help: "New notes (\"\" to clear).") var notes: String?
        @OptionGroup var time: TimeZoneOptions
        @Option(help: "New due date: RFC 3339, YYYY-MM-DD, today, tomorrow, a weekday (tue), +2h, +3d; dates end at 23:59:59 local time.") var due: String?
        @Flag(help: "Remove the due date.") var noDue = false
        @Option(help: "New assignee.") var assignee: String?
        @Flag(help: "Remove the assignee.") var noAssignee = false
        @Option(name: .customLong("repeat"), help: ArgumentHelp("New repeat rule: \(RepeatRule.grammar).", valueName: "rule"))
        var repeatRule: String?
        @Flag(help: "Stop repeating: this occurrence is the last.") var noRepeat = false
        @Flag(help: "Print the task as JSON.") var json = false

        func validate() throws {
            if due != nil && noDue { throw ValidationError("--due and --no-due cannot be used together") }
            if assignee != nil && noAssignee { throw ValidationError("--assignee and --no-assignee cannot be used together") }
            if repeatRule != nil && noRepeat { throw ValidationError("--repeat and --no-repeat cannot be used together") }
            if title == nil && notes == nil && due == nil && !noDue && assignee == nil && !noAssignee && repeatRule == nil && !noRepeat {
                throw ValidationError(
                    "nothing to change: give --title, --notes, --due, --no-due, --assignee, --no-assignee, --repeat or --no-repeat")
            }
        }

        func run() throws {
            try reportingErrors {
                var patch = TaskPatch(title: title, notes: notes)
                if let due { patch.dueAt = .value(try DueOption.parse(due, zone: try time.zone())) }
                if noDue { patch.dueAt = .null }
                if let assignee { patch.assignee = .value(assignee) }
                if noAssignee { patch.assignee = .null }
                if let repeatRule { patch.repeatRule = .value(try RepeatOption.parse(repeatRule)) }
                if noRepeat { patch.repeatRule = .null }
                try TaskEdit.apply(store: store, zone: try time.zone(), id: id, json: json, verb: "updated", already: "unchanged") { patch }
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete a task (on every node, once synced).")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Task ID or unique prefix.") var id: String
        @Flag(help: "Delete the whole recurring chore: every occurrence of its series, done ones too.") var series = false

        func run() throws {
            try reportingErrors {
                let local = try store.openStore()
                let uuid = try local.resolveTaskID(id)
                guard let task = try local.task(id: uuid) else { throw LocalStoreError.taskNotFound(id) }
                let count = try local.deleteTask(id: uuid, series: series)
                Output.line("removed \(TaskPrinter.brief(task))" + (series ? " and its series (\(count) task\(count == 1 ? "" : "s"))" : ""))
            }
        }
    }
}

/// Shared by done, undo and edit: resolve the ID, apply, say what happened.
enum TaskEdit {
    static func apply(
        store: StoreOptions, zone: HouseholdTimeZone, id: String, json: Bool, verb: String, already: String,
        patch: () throws -> TaskPatch
    ) throws {
        let local = try store.openStore(zone: zone)
        let uuid = try local.resolveTaskID(id)
        guard let before = try local.task(id: uuid) else { throw LocalStoreError.taskNotFound(id) }
        let after = try local.updateTask(id: uuid, try patch())
        if json {
            Output.json(bytes: after.json())
        } else {
            Output.line((after == before ? already : verb) + " " + TaskPrinter.brief(after))
            // A recurring chore just completed: say when it comes round again.
            if after.done, !before.done, after.repeatRule != nil, let next = try local.task(id: RecurringChore.nextID(after: uuid)) {
                Output.line("next \(TaskPrinter.brief(next)) due \(next.dueAt.map { WhenParser.display($0, zone: zone) } ?? "-")")
            }
        }
    }
}

/// `--repeat` values, with the grammar in the error.
enum RepeatOption {
    static func parse(_ text: String) throws -> String {
        do { return try RepeatRule.parse(typed: text).description } catch { throw CLIError.failed("--\(error.message)") }
    }
}

/// `--due` values, with an error that says what is accepted.
enum DueOption {
    static func parse(_ text: String, zone: HouseholdTimeZone) throws -> Int64 {
        guard let millis = WhenParser.parse(text, now: WallClock.system.nowMillis(), zone: zone) else {
            throw CLIError.failed(
                "--due: cannot read \"\(text.prefix(60))\"; use an RFC 3339 date-time, YYYY-MM-DD, today, tomorrow, "
                    + "a weekday such as tuesday, +2h or +3d")
        }
        return millis
    }
}
