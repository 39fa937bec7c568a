import ArgumentParser
import CommandLineSupport
import LocalStore
import Sync

/// `edge-agent sync quarantine list|retry|drop`: the changes kept out of the push queue.
struct QuarantineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine",
        abstract: "List, retry or drop changes that could not be sent to central.",
        discussion: """
            A quarantined change stays in the local database with the reason it could not be \
            sent; the task itself keeps the edit locally. 'retry' puts it back in the queue (after \
            upgrading central or the agent, say); 'drop' deletes it: central never receives it.
            """,
        subcommands: [List.self, Retry.self, Drop.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Show quarantined changes and why.")
        @OptionGroup var store: StoreOptions
        @Flag(name: .long, help: "Print JSON.") var json = false

        func run() throws {
            var changes: [QuarantinedChange] = []
            try reportingErrors { changes = try store.openExistingStore().quarantinedChanges() }
            if json {
                var out: [UInt8] = [UInt8(ascii: "[")]
                for (i, change) in changes.enumerated() {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    JSONObjectWriter.write(into: &out) { o in
                        o.string("id", change.changeID)
                        o.string("task_id", change.taskID)
                        o.string("reason", change.reason)
                        o.time("quarantined_at", change.quarantinedAt)
                        o.time("recorded_at", change.recordedAt)
                    }
                }
                out.append(UInt8(ascii: "]"))
                Output.line(String(decoding: out, as: UTF8.self))
                return
            }
            guard !changes.isEmpty else {
                Output.line("No quarantined changes.")
                return
            }
            for change in changes {
                Output.line("\(change.changeID)  task \(change.taskID.prefix(8))  \(change.reason)")
            }
            Output.line(Output.count(changes.count, "quarantined change"))
        }
    }

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "retry", abstract: "Put a quarantined change back in the queue.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The change ID, or a unique prefix of it.") var id: String

        func run() throws {
            var ids: [String] = []
            try reportingErrors { ids = try store.openStore().releaseQuarantined(idPrefix: id, drop: false) }
            for id in ids { Output.line("Queued again: \(id)") }
        }
    }

    struct Drop: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "drop", abstract: "Delete a quarantined change; central never receives it.")
        @OptionGroup var store: StoreOptions
        @Argument(help: "The change ID, or a unique prefix of it.") var id: String

        func run() throws {
            var ids: [String] = []
            try reportingErrors { ids = try store.openStore().releaseQuarantined(idPrefix: id, drop: true) }
            for id in ids { Output.line("Dropped: \(id)") }
        }
    }
}
