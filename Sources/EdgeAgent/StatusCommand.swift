import AgentAPI
import ArgumentParser
import CommandLineSupport
import HostProbes
import LocalStore
import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `edge-agent status`: what `GET /v1/status` shows, read from the database directly.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the node, its store, and what waits for sync.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var sync: SyncOptions
    @Flag(help: "Print JSON, as GET /v1/status does.") var json = false

    func run() throws {
        try reportingErrors {
            let local = try store.openExistingStore()
            local.quickCheck()  // a damaged file shows as such, not as a failed read
            // The central URL as configured here, else as the daemon last recorded it.
            let configured = (try? sync.resolved())??.url
            let url = try configured ?? local.syncRecord()?.centralURL
            let source: any SyncStatusSource = url.map { RecordedSync(store: local, centralURL: $0) } ?? StandaloneSync(store: local)
            let now = WallClock.system.nowMillis()
            let status = try AgentStatus.current(
                store: local, node: local.configuration.nodeName, version: EdgeAgent.version, startedAt: nil,
                sync: source, now: now, clockSynchronized: KernelClockSynchronization().isSynchronized())
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                Output.line(String(decoding: try encoder.encode(status), as: UTF8.self))
                return
            }
            let sync = status.sync
            Output.line("node:            \(status.node) (edge-agent \(status.version))")
            Output.line(
                "store:           \(status.store.path), \(ByteCount.format(status.store.bytes))"
                    + (status.store.state == "ok" ? "" : ", \(status.store.state.uppercased()): \(status.store.problem ?? "")"))
            Output.line("tasks:           \(status.store.tasksOpen) open, \(status.store.tasksDone) done")
            Output.line("sync:            \(sync.centralURL.map { "\(sync.state) with \($0)" } ?? "standalone (no central configured)")")
            if sync.centralURL == nil {
                // Nothing will send them: "pending" would read as "not saved". They are saved;
                // the running agent folds them into the task records (a central configured
                // later gets the whole list as a snapshot).
                Output.line("saved:           every task on this Pi; no central to send to (a central configured later receives them all)")
            } else {
                Output.line(
                    "pending:         \(Output.count(sync.pendingTaskChanges, "task change")), \(Output.count(sync.pendingSamples, "sample"))"
                        + (sync.oldestPendingAgeSeconds.map { ", oldest \(Int($0)) s" } ?? ""))
            }
            Output.line("last sync:       \(sync.lastSuccessAt.map(RFC3339.format(millis:)) ?? "never")")
            Output.line("last error:      \(sync.lastError ?? "none")")
            if let offset = sync.clockOffsetSeconds {
                let text = abs(offset) < 2 ? "within 2 s of central's" : "\(Int(abs(offset).rounded())) s \(offset > 0 ? "behind" : "ahead of") central's"
                Output.line("clock:           \(text)")
            }
            let failures = sync.errors.filter { $0.value > 0 }.sorted { $0.key < $1.key }
            Output.line("sync errors:     \(failures.isEmpty ? "none" : failures.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
            Output.line("samples dropped: \(status.store.samplesDropped)")
            Output.line(
                "clock:           \(sync.clock ?? "unknown")"
                    + (sync.changesRestamped > 0 ? ", \(Output.count(Int(sync.changesRestamped), "change")) stamped again after the clock ran ahead" : ""))
            if sync.readingsWaitingForClock > 0 || sync.readingsRetimed > 0 || sync.readingsSentUntrusted > 0 {
                Output.line(
                    "reading times:   \(Output.count(sync.readingsWaitingForClock, "reading")) waiting for a clock, "
                        + "\(sync.readingsRetimed) moved to their true times, \(sync.readingsSentUntrusted) sent untrusted")
            }
            if !sync.quarantined.isEmpty {
                Output.line(
                    "quarantined:     \(Output.count(sync.quarantined.count, "change")) kept out of the queue "
                        + "(edge-agent sync quarantine list|retry|drop)")
                for change in sync.quarantined {
                    Output.line("  \(change.changeID)  \(change.reason)")
                }
            }
        }
    }
}
