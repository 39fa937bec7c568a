import CommandLineSupport
import AgentAPI
import ArgumentParser
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
    @Flag(help: "Print JSON, as GET /v1/status does.") var json = false

    func run() throws {
        try reportingErrors {
            let local = try store.openStore()
            let now = WallClock.system.nowMillis()
            let status = try AgentStatus.current(
                store: local, node: local.configuration.nodeName, version: EdgeAgent.version, startedAt: nil,
                sync: StandaloneSync(store: local), now: now)
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                Output.line(String(decoding: try encoder.encode(status), as: UTF8.self))
                return
            }
            let sync = status.sync
            Output.line("node:            \(status.node) (edge-agent \(status.version))")
            Output.line("store:           \(status.store.path), \(ByteCount.format(status.store.bytes))")
            Output.line("tasks:           \(status.store.tasksOpen) open, \(status.store.tasksDone) done")
            Output.line("sync:            \(sync.centralURL.map { "\(sync.state) with \($0)" } ?? "standalone (no central configured)")")
            Output.line("pending:         \(sync.pendingTaskChanges) task changes, \(sync.pendingSamples) samples"
                + (sync.oldestPendingAgeSeconds.map { ", oldest \(Int($0)) s" } ?? ""))
            Output.line("last sync:       \(sync.lastSuccessAt.map(RFC3339.format(millis:)) ?? "never")")
            Output.line("last error:      \(sync.lastError ?? "none")")
            Output.line("samples dropped: \(status.store.samplesDropped)")
        }
    }
}
