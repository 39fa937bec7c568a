import ArgumentParser
import CentralStore
import CommandLineSupport
import Logging
import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// `edge-central db check|retention`.
struct DBCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Inspect central's database, and run retention now.",
        subcommands: [Check.self, Retention.self])

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the schema version, sample partitions, the oldest and newest sample, sizes, quiet nodes, the last backup.",
            discussion: """
                Read-only. Exit status 0 when the database could be read (the lines starting with "warning:" \
                name what deserves a look), 3 when PostgreSQL is unreachable.
                """)
        @OptionGroup var database: DatabaseOptions

        @Option(
            name: .customLong("backup-dir"),
            help: ArgumentHelp(
                "Directory the nightly pg_dump writes to (the backup CronJob's volume, /backups in its pod); the newest *.dump "
                    + "there is reported. [env: EDGE_CENTRAL_BACKUP_DIR] [default: none]", valueName: "dir"))
        var backupDirFlag: String?

        func run() async throws {
            try await CentralCLI.run {
                let report = try await database.withStore(logger: quietLogger()) { try await $0.databaseReport() }
                let now = WallClock.system.nowMillis()
                let backupDir = Settings.resolve(flag: backupDirFlag, env: "EDGE_CENTRAL_BACKUP_DIR") { "" }
                for line in DatabaseCheckText.lines(report, now: now, backup: backupDir.isEmpty ? nil : NewestDump.find(in: backupDir)) {
                    Output.line(line)
                }
            }
        }
    }

    struct Retention: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run retention once now, as serve does every --retention-interval, and print what it did.",
            discussion: """
                Moves what is left of the unpartitioned sample table, creates the coming days' partitions, rolls up and \
                drops the days older than --sample-retention, drops per-minute rollups older than --rollup-retention. \
                Under the same lock as serve's runs: if a replica is running one, this one skips (exit status 0, \
                "skipped"). A run cut short by a crash or a PostgreSQL restart is resumed by the next one.
                """)
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var retention: RetentionOptions

        func run() async throws {
            try await CentralCLI.run {
                var configuration = CentralStore.Configuration()
                configuration.retention = try retention.policy()
                let report = try await database.withStore(logger: quietLogger(), configuration: configuration) { store in
                    try await store.migrate()
                    return try await store.runRetention(progress: { Output.line($0) })
                }
                switch report.outcome {
                case .skipped: Output.line("skipped: another edge-central is running retention")
                default:
                    Output.line(
                        "retention done in \(DatabaseCheckText.seconds(report.seconds)): "
                            + "\(Output.count(report.partitionsRolledUp.count, "day")) rolled up (\(report.rowsRolledUp) rows), "
                            + "\(Output.count(report.partitionsDropped.count, "raw partition")) and "
                            + "\(Output.count(report.minutePartitionsDropped.count, "month")) of per-minute rollups dropped")
                }
            }
        }
    }
}

/// The newest `*.dump` in a directory (what the backup CronJob writes, `edge-YYYYMMDDTHHMMSSZ.dump`).
struct NewestDump: Sendable {
    var directory: String
    var path: String?
    var bytes: Int64 = 0
    var modified: Int64 = 0
    var problem: String?

    static func find(in directory: String) -> NewestDump {
        var result = NewestDump(directory: directory)
        let files: [String]
        do {
            files = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            result.problem = "cannot read \(directory): \(error)"
            return result
        }
        for name in files where name.hasSuffix(".dump") {
            let path = directory.hasSuffix("/") ? directory + name : directory + "/" + name
            var st = stat()
            guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { continue }
            let modified = Int64(st.st_mtim.tv_sec) * 1000 + Int64(st.st_mtim.tv_nsec) / 1_000_000
            if result.path == nil || modified > result.modified {
                result.path = path
                result.modified = modified
                result.bytes = Int64(st.st_size)
            }
        }
        return result
    }
}

/// The text of `db check`.
enum DatabaseCheckText {
    static func lines(_ r: DatabaseReport, now: Int64, backup: NewestDump?) -> [String] {
        var out: [String] = []
        var warnings: [String] = []
        // Schema.
        if let last = r.applied.last {
            var line = "schema: \(Output.count(r.applied.count, "migration")) applied, the last \"\(last.name)\" at \(RFC3339.format(millis: last.appliedAt))"
            if !r.unknown.isEmpty {
                line += "; newer than this edge-central (\(r.unknown.joined(separator: ", ")))"
            } else if r.missing.isEmpty {
                line += "; up to date"
            }
            out.append(line)
        } else {
            out.append("schema: not migrated")
        }
        if !r.missing.isEmpty {
            warnings.append("\(Output.count(r.missing.count, "migration")) not applied yet: \(r.missing.joined(separator: ", ")) (edge-central migrate)")
        }

        // Samples.
        let oldest = r.oldestRawSample.map { "\(RFC3339.format(millis: $0)) (\(age(now - $0)) ago)" } ?? "none"
        let newest = r.newestRawSample.map { "\(RFC3339.format(millis: $0)) (\(age(now - $0)) ago)" } ?? "none"
        out.append("raw samples: oldest \(oldest), newest \(newest)")
        if let legacy = r.legacyRows {
            out.append("  \(legacy) rows of the unpartitioned sample table still to move (serve and db retention move them)")
        }
        var kept = "  raw samples accepted from \(day(r.rawFrom)); "
        if r.rolledThrough <= 0 {
            kept += "no day rolled up yet"
        } else {
            kept += "days before \(day(r.rolledThrough)) rolled up"
            kept += r.minuteFrom <= 0 ? " (per-minute and hourly)" : " (per-minute from \(day(r.minuteFrom)), hourly only before)"
        }
        out.append(kept)
        if let last = r.lastRollup {
            out.append("  last rollup: \(SampleDay(index: last.day)) (\(last.rows) rows) at \(RFC3339.format(millis: last.at))")
        }
        let today = SampleDay(containing: now)
        let days = r.rawPartitions.compactMap { SampleDay(partition: $0.name) }
        if !days.contains(today) || !days.contains(today.adding(1)) {
            warnings.append("the raw partitions of today and tomorrow do not both exist yet (serve creates them every --retention-interval)")
        }

        // Partitions.
        out.append("partitions: \(Output.count(r.rawPartitions.count, "raw day")), \(Output.count(r.minutePartitions.count, "month")) of per-minute rollups")
        for p in r.rawPartitions + r.minutePartitions {
            out.append("  \(pad(p.name, 22)) \(pad(bytes(p.bytes), 10)) " + (p.estimatedRows < 0 ? "(rows not counted yet)" : "~\(p.estimatedRows) rows"))
        }

        // Tables.
        out.append("tables (with indexes; the database is \(bytes(r.databaseBytes))):")
        for t in r.tables {
            out.append(
                t.partitions > 0
                    ? "  \(pad(t.name, 22)) \(pad(bytes(t.bytes), 10)) in \(Output.count(t.partitions, "partition"))"
                    : "  \(pad(t.name, 22)) \(bytes(t.bytes))")
        }

        // Nodes.
        let quiet = r.nodes.filter { !$0.revoked && ($0.lastSeenAt.map { now - $0 > RetentionPolicy.day } ?? true) }
        if quiet.isEmpty {
            out.append("nodes: \(r.nodes.filter { !$0.revoked }.count) registered, every one seen within a day")
        } else {
            out.append(
                "nodes not seen for a day: "
                    + quiet.map { n in
                        "\(n.name) (\(n.lastSeenAt.map { "last seen \(RFC3339.format(millis: $0))" } ?? "never seen"))"
                    }.joined(separator: ", "))
        }

        // Backup.
        if let backup {
            if let problem = backup.problem {
                out.append("last backup: unknown")
                warnings.append(problem)
            } else if let path = backup.path {
                out.append(
                    "last backup: \(path), \(bytes(backup.bytes)), written \(RFC3339.format(millis: backup.modified)) (\(age(now - backup.modified)) ago)")
                if now - backup.modified > 2 * RetentionPolicy.day { warnings.append("the newest backup is more than 2 days old") }
            } else {
                out.append("last backup: none in \(backup.directory)")
                warnings.append("no *.dump in \(backup.directory)")
            }
        } else {
            out.append("last backup: not checked (--backup-dir: where the backup CronJob writes its dumps)")
        }
        return out + warnings.map { "warning: " + $0 }
    }

    static func day(_ ms: Int64) -> String { ms <= 0 ? "any day" : SampleDay(containing: ms).description }

    static func bytes(_ n: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB"]
        var value = Double(n)
        var unit = 0
        while value >= 1000 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        return unit == 0 ? "\(n) B" : "\(Double(Int(value * 10)) / 10) \(units[unit])"
    }

    static func age(_ ms: Int64) -> String {
        let s = max(0, ms / 1000)
        if s < 120 { return "\(s) s" }
        if s < 7200 { return "\(s / 60) min" }
        if s < 172_800 { return "\(s / 3600) h" }
        return "\(s / 86_400) d"
    }

    static func seconds(_ s: Double) -> String { "\(Double(Int(s * 10)) / 10) s" }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
