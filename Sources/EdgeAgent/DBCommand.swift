import ArgumentParser
import CommandLineSupport
import LocalStore

/// `edge-agent db ...`: look after the database file.
struct DBCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Check or back up the local database.",
        subcommands: [Check.self, Backup.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run SQLite's integrity check on agent.db; exit 1 if it finds anything.",
            discussion: """
                A damaged database is never written to by the agent. To recover: stop the agent, \
                keep a copy of the damaged file, then either restore a backup made with \
                'edge-agent db backup', or salvage what SQLite can still read with \
                'sqlite3 agent.db .recover | sqlite3 recovered.db' and move recovered.db into place. \
                Changes that had not reached central are in the salvaged change_log.
                """)
        @OptionGroup var store: StoreOptions

        func run() throws {
            try reportingErrors {
                let local = try store.openExistingStore()
                let findings: [String]
                do {
                    findings = try local.integrityCheck()
                } catch let error as LocalStoreError {
                    findings = [error.description]
                }
                guard findings == ["ok"] else {
                    for finding in findings.prefix(20) { Output.error("edge-agent: integrity check: \(finding)") }
                    Output.error(
                        "edge-agent: to recover, stop the agent and keep a copy of \(local.path); then restore a backup "
                            + "('edge-agent db backup' makes them), or salvage with: sqlite3 \(local.path) .recover | sqlite3 recovered.db")
                    throw CLIError.failed("\(local.path) failed the integrity check (\(findings.count) findings)")
                }
                let counts = try local.taskCounts()
                let pending = try local.pendingSummary()
                Output.line(
                    "ok: \(local.path) (\(counts.open) open and \(counts.done) done tasks, "
                        + "\(Output.count(pending.count, "change")) not sent to a central yet, \(ByteCount.format(local.diskUsage())))")
            }
        }
    }

    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a consistent copy of agent.db to FILE, safely while the daemon runs.",
            discussion: "Uses SQLite's online backup. FILE must not exist; a failed backup leaves nothing behind.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "Where to write the copy.") var file: String

        func run() throws {
            try reportingErrors {
                let local = try store.openExistingStore()
                var lastPercent = -1
                try local.backup(to: file) { done, total in
                    // A progress line for large databases; silent for small ones.
                    guard total > 4096 else { return }
                    let percent = done * 100 / max(total, 1)
                    if percent / 10 != lastPercent / 10 {
                        Output.error("backup: \(percent)% (\(done)/\(total) pages)")
                        lastPercent = percent
                    }
                }
                Output.line("backed up \(local.path) to \(file)")
            }
        }
    }
}

/// Human-readable byte counts: `3.2 MB`.
enum ByteCount {
    static func format(_ bytes: Int64) -> String {
        let units = ["bytes", "kB", "MB", "GB", "TB"]
        var value = Double(bytes), unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        if unit == 0 { return "\(bytes) bytes" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }
}
