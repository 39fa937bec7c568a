import Foundation
import TestSupport
import Testing

/// Every `tasks` command through the real binary, as a person would type it.
@Suite struct TasksCommandTests {
    let dir = TemporaryDirectory()
    var env: [String: String] { ["EDGE_DATA_DIR": dir.path, "EDGE_NODE_NAME": "rpi-worker-1"] }

    func agent(_ args: String...) throws -> Result { try execute(args, env: env) }

    func json(_ result: Result) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    @Test func addListShowDoneUndoEditRemove() throws {
        let added = try agent("tasks", "add", "Buy milk", "--due", "2030-01-02", "--assignee", "mum", "--notes", "oat", "--json")
        #expect(added.status == 0, "\(added.stderr)")
        let task = try json(added)
        let id = try #require(task["id"] as? String)
        #expect(task["title"] as? String == "Buy milk")
        #expect(task["due_at"] as? String == "2030-01-02T23:59:59Z")
        #expect(task["origin"] as? String == "rpi-worker-1")

        let list = try agent("tasks", "list")
        #expect(list.status == 0)
        #expect(list.stdout.contains(String(id.prefix(8))) && list.stdout.contains("Buy milk") && list.stdout.contains("2030-01-02"))

        let shown = try agent("tasks", "show", String(id.prefix(6)))
        #expect(shown.status == 0 && shown.stdout.contains(id) && shown.stdout.contains("notes:        oat"))

        let done = try agent("tasks", "done", String(id.prefix(8)))
        #expect(done.status == 0 && done.stdout.hasPrefix("done \(id.prefix(8))"))
        #expect(try agent("tasks", "done", id).stdout.hasPrefix("already done"))
        #expect(try agent("tasks", "list").stdout.contains("no open tasks"))
        let doneList = try json(try agent("tasks", "list", "--done", "--json"))
        #expect((doneList["tasks"] as? [[String: Any]])?.first?["completed_at"] is String)

        let undone = try agent("tasks", "undo", id)
        #expect(undone.status == 0 && undone.stdout.hasPrefix("reopened"))

        let edited = try json(try agent("tasks", "edit", id, "--title", "Buy oat milk", "--no-due", "--no-assignee", "--json"))
        #expect(edited["title"] as? String == "Buy oat milk")
        #expect(edited["due_at"] is NSNull && edited["assignee"] is NSNull)

        let removed = try agent("tasks", "rm", id)
        #expect(removed.status == 0 && removed.stdout.contains("removed"))
        let gone = try agent("tasks", "show", id)
        #expect(gone.status == 1)
        #expect(gone.stderr == "edge-agent: no task with ID \(id)\n")
    }

    @Test func listAllIncludesDoneTasksNewestFirst() throws {
        _ = try agent("tasks", "add", "first")
        let second = try json(try agent("tasks", "add", "second", "--json"))
        _ = try agent("tasks", "done", second["id"] as! String)
        let all = try json(try agent("tasks", "list", "--all", "--json"))
        let titles = (all["tasks"] as? [[String: Any]])?.compactMap { $0["title"] as? String }
        #expect(titles == ["second", "first"])
    }

    @Test func relativeDueDatesAreUnderstood() throws {
        for due in ["today", "tomorrow", "+3d", "+2h", "2030-05-06T07:08:09+02:00"] {
            let result = try agent("tasks", "add", "due \(due)", "--due", due, "--json")
            #expect(result.status == 0, "\(due): \(result.stderr)")
        }
        let exact = try json(try agent("tasks", "list", "--json"))
        let dues = (exact["tasks"] as? [[String: Any]])?.compactMap { $0["due_at"] as? String }
        #expect(dues?.first == "2030-05-06T05:08:09Z")
    }

    @Test(arguments: [
        (["tasks", "add", "   "], "title must not be empty"),
        (["tasks", "add", String(repeating: "x", count: 201)], "title is 201 characters; at most 200 allowed"),
        (["tasks", "add", "ok", "--notes", String(repeating: "n", count: 4001)], "notes are 4001 characters; at most 4000 allowed"),
        (["tasks", "add", "ok", "--due", "next tuesday"], "--due: cannot read \"next tuesday\""),
        (["tasks", "add", "ok", "--due", "2030-02-30"], "--due: cannot read"),
        (["tasks", "show", "ffffffff"], "no task with ID ffffffff"),
        (["tasks", "done", "not-an-id!"], "no task with ID not-an-id!"),
    ])
    func badInputGetsOneClearLineAndWritesNothing(args: [String], message: String) throws {
        // A database with no live task (read-only commands refuse a missing one).
        let seed = try json(try agent("tasks", "add", "seed", "--json"))["id"] as! String
        #expect(try agent("tasks", "rm", seed).status == 0)
        let result = try execute(args, env: env)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("edge-agent: " + message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stdout.isEmpty)
        #expect(try agent("tasks", "list", "--all").stdout == "no tasks\n")
    }

    @Test func anAmbiguousPrefixListsTheCandidates() throws {
        // 17 tasks: two of them must share a first hex digit.
        var ids: [String] = []
        for i in 0..<17 { ids.append(try json(try agent("tasks", "add", "t\(i)", "--json"))["id"] as! String) }
        let shared = Dictionary(grouping: ids) { $0.prefix(1) }.first { $0.value.count > 1 }!.key
        let result = try agent("tasks", "show", String(shared))
        #expect(result.status == 1)
        #expect(result.stderr.contains("ID prefix \(shared) matches"), "\(result.stderr)")
    }

    @Test func dataDirectoryComesFromTheFlagBeforeTheEnvironment() throws {
        let other = TemporaryDirectory()
        #expect(try execute(["tasks", "add", "here", "--data-dir", other.path], env: env).status == 0)
        #expect(FileManager.default.fileExists(atPath: other.file("agent.db")))
        #expect(try agent("tasks", "list", "--all").stderr.hasPrefix("edge-agent: no database at \(dir.path)/agent.db"))
        // STATE_DIRECTORY (systemd) is the default when neither is given.
        let state = TemporaryDirectory()
        #expect(try execute(["tasks", "add", "state"], env: ["STATE_DIRECTORY": state.path, "EDGE_NODE_NAME": "n"]).status == 0)
        #expect(FileManager.default.fileExists(atPath: state.file("agent.db")))
    }

    @Test func everyCommandHasHelp() throws {
        for command in [
            [], ["run"], ["tasks"], ["tasks", "list"], ["tasks", "add"], ["tasks", "show"], ["tasks", "done"],
            ["tasks", "undo"], ["tasks", "edit"], ["tasks", "rm"], ["hw"], ["status"], ["db"], ["db", "check"], ["db", "backup"],
        ] {
            let result = try execute(command + ["--help"])
            #expect(result.status == 0, "\(command)")
            #expect(result.stdout.contains("USAGE: edge-agent"), "\(command)")
        }
        let version = try execute(["--version"])
        #expect(version.stdout.hasPrefix("edge-agent 0.") && version.stdout.contains("sqlite 3.") && version.stdout.contains("libgpiod"))
    }

    @Test func anInvalidNodeNameIsAConfigurationError() throws {
        let result = try execute(["tasks", "list"], env: ["EDGE_DATA_DIR": dir.path, "EDGE_NODE_NAME": "bad name!"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--node-name / EDGE_NODE_NAME"))
    }
}
