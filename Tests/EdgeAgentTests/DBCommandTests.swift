import Foundation
import TestSupport
import Testing

@Suite struct DBCommandTests {
    let dir = TemporaryDirectory()
    var env: [String: String] { ["EDGE_DATA_DIR": dir.path, "EDGE_NODE_NAME": "rpi-worker-1"] }

    @Test func statusShowsTheNodeTheStoreAndPendingChanges() throws {
        _ = try execute(["tasks", "add", "one"], env: env)
        let text = try execute(["status"], env: env)
        #expect(text.status == 0)
        #expect(text.stdout.contains("node:            rpi-worker-1"))
        #expect(text.stdout.contains("tasks:           1 open, 0 done"))
        #expect(text.stdout.contains("sync:            standalone"))
        // Standalone, nothing will send the change: it reads as saved, not as pending.
        #expect(text.stdout.contains("saved:           every task on this Pi; no central to send to (a central configured later receives them all)"))
        #expect(!text.stdout.contains("pending"))
        let configured = try execute(["status"], env: env.merging(["EDGE_CENTRAL_URL": "http://127.0.0.1:9"]) { $1 })
        #expect(configured.stdout.contains("pending:         1 task change, 0 samples"), "\(configured.stdout)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(try execute(["status", "--json"], env: env).stdout.utf8)) as? [String: Any])
        #expect(json["node"] as? String == "rpi-worker-1")
        #expect(((json["sync"] as? [String: Any])?["pending"] as? [String: Any])?["task_changes"] as? Int == 1)
    }

    @Test func checkReportsOkForAHealthyDatabase() throws {
        _ = try execute(["tasks", "add", "one"], env: env)
        let result = try execute(["db", "check"], env: env)
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("ok: \(dir.path)/agent.db (1 open and 0 done tasks, 1 change not sent to a central yet"))
    }

    @Test func backupWritesAUsableCopyAndNeverOverwrites() throws {
        _ = try execute(["tasks", "add", "one"], env: env)
        let copy = dir.file("copy.db")
        let result = try execute(["db", "backup", copy], env: env)
        #expect(result.status == 0, "\(result.stderr)")
        let restored = TemporaryDirectory()
        try FileManager.default.copyItem(atPath: copy, toPath: restored.file("agent.db"))
        #expect(try execute(["tasks", "list"], env: ["EDGE_DATA_DIR": restored.path, "EDGE_NODE_NAME": "n"]).stdout.contains("one"))
        let again = try execute(["db", "backup", copy], env: env)
        #expect(again.status == 1)
        #expect(again.stderr == "edge-agent: \(copy) already exists; choose a new file name\n")
        let nowhere = try execute(["db", "backup", dir.file("missing/dir/copy.db")], env: env)
        #expect(nowhere.status == 1)
        #expect(nowhere.stderr == "edge-agent: cannot write the backup to \(dir.file("missing/dir/copy.db")): cannot create the file there\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains("partial") }.isEmpty)
    }

    @Test func aFileThatIsNotSQLiteIsRefusedAndLeftAlone() throws {
        let garbage = Data(repeating: 0x41, count: 4096)
        try garbage.write(to: URL(fileURLWithPath: dir.file("agent.db")))
        for args in [["tasks", "list"], ["tasks", "add", "x"], ["db", "check"]] {
            let result = try execute(args, env: env)
            #expect(result.status == 2, "\(args)")
            #expect(
                result.stderr == "edge-agent: \(dir.path)/agent.db is not an SQLite database; refusing to touch it "
                    + "(move it away or choose another --data-dir)\n")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("agent.db"))) == garbage)
    }

    @Test func aTruncatedDatabaseFailsTheCheck() throws {
        for i in 0..<300 { _ = try execute(["tasks", "add", "task \(i) " + String(repeating: "z", count: 180)], env: env) }
        let path = dir.file("agent.db")
        // The CLI leaves the WAL beside the file; make the main file hold everything first.
        _ = try execute(["db", "backup", dir.file("full.db")], env: env)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let full = try Data(contentsOf: URL(fileURLWithPath: dir.file("full.db")))
        try full.prefix(full.count / 2).write(to: URL(fileURLWithPath: path))
        let result = try execute(["db", "check"], env: env)
        #expect(result.status != 0)
        #expect(result.stderr.contains("damaged") || result.stderr.contains("integrity check"), "\(result.stderr)")
    }

    @Test func anUnwritableDataDirectoryIsAConfigurationError() throws {
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir.file("file")))
        let result = try execute(["tasks", "add", "x"], env: ["EDGE_DATA_DIR": dir.file("file/sub"), "EDGE_NODE_NAME": "n"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("edge-agent: data directory \(dir.file("file/sub")) is not usable"))
    }

    @Test(arguments: [
        ["tasks", "list"], ["tasks", "show", "0"], ["status"], ["db", "check"], ["db", "backup", "/nonexistent-copy.db"],
        ["sync", "quarantine", "list"],
    ])
    func readOnlyCommandsNeverCreateADatabase(args: [String]) throws {
        let missing = dir.file("not-here")
        let result = try execute(args, env: ["EDGE_DATA_DIR": missing, "EDGE_NODE_NAME": "n"])
        #expect(result.status == 2, "\(args)")
        #expect(
            result.stderr == "edge-agent: no database at \(missing)/agent.db: choose the agent's data directory with "
                + "--data-dir or EDGE_DATA_DIR (`make run` uses ./.data)\n", "\(args)")
        #expect(!FileManager.default.fileExists(atPath: missing), "\(args) created \(missing)")
    }
}
