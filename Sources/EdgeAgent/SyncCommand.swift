import AgentAPI
import ArgumentParser
import CommandLineSupport
import LocalStore
import Logging
import Sync
import SyncAgent

/// `edge-agent sync --once`: one full push and pull against central, from the CLI (safe
/// while the daemon runs: pushes are idempotent and every local step is one transaction).
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Push everything pending to central and pull its changes, once.",
        discussion: """
            Exit status: 0 when everything pending was acknowledged and the pull reached the end; \
            2 configuration (no central URL, unreadable token or CA file); 3 central unreachable, \
            timed out or answered 5xx; 4 the token was refused (401/403); 5 central refused a \
            batch or quarantined a change; 1 anything else.

            A change that cannot be sent (central refuses it, or it cannot be read back) is \
            quarantined: kept in the database, out of the queue, so it never stops the changes \
            and samples behind it. 'edge-agent sync quarantine list|retry|drop' acts on it.
            """,
        subcommands: [QuarantineCommand.self])

    @Flag(name: .long, help: "Run one cycle and exit (the only mode; the daemon syncs continuously).") var once = false
    @OptionGroup var store: StoreOptions
    @OptionGroup var sync: SyncOptions

    func run() async throws {
        guard once else {
            Output.error("edge-agent: sync runs inside `edge-agent run`; use `edge-agent sync --once` for one cycle")
            throw ExitCode(2)
        }
        let settings: SyncOptions.Settings
        let local: LocalStore
        var logger = Logger(label: "edge-agent")
        logger.logLevel = .warning
        let engine: SyncEngine
        let enrollment: Enrollment?
        do {
            guard let resolved = try sync.resolved() else {
                throw ConfigurationError("--central-url / EDGE_CENTRAL_URL is required for sync")
            }
            settings = resolved
            local = try store.openStore()
            (engine, _, enrollment) = try SyncOptions.engine(settings, store: local, logger: logger)
        } catch {
            let failure = CLIError(error)
            Output.error("edge-agent: \(failure.message)")
            throw ExitCode(failure.status)
        }
        var engineAll = engine
        engineAll.sampleBatchesPerCycle = Int.max
        var record = (try? local.syncRecord()) ?? SyncRecord(centralURL: settings.url, state: "starting")
        record.centralURL = settings.url
        record.lastAttemptAt = WallClock.system.nowMillis()
        let status: Int32
        do {
            try await enrollment?.prepare(afterRefusal: false)
            let report = try await engineAll.cycle()
            record.state = "ok"
            record.lastSuccessAt = WallClock.system.nowMillis()
            record.lastError = nil
            record.clockOffsetMillis = report.clockOffsetMillis ?? record.clockOffsetMillis
            Output.line(
                "pushed \(Output.count(report.changesPushed, "change")) (\(report.changesApplied) applied, "
                    + "\(report.changesPushed - report.changesApplied) already known), \(Output.count(report.samplesPushed, "sample")); "
                    + "pulled \(Output.count(report.changesPulled, "change"))" + (report.resynced ? "; full resync done" : ""))
            if report.changesQuarantined > 0 {
                Output.error(
                    "edge-agent: central refused \(Output.count(report.changesQuarantined, "change")); quarantined "
                        + "(see 'edge-agent sync quarantine list')")
                status = 5
            } else {
                status = 0
            }
        } catch {
            record.state = error.state
            record.lastError = error.message
            record.errors[error.reason.rawValue, default: 0] += 1
            Output.error("edge-agent: sync failed: \(error.message)")
            switch error.reason {
            case .unreachable, .timeout, .serverError: status = 3
            case .unauthorized, .forbidden, .noCredential: status = 4
            case .rejected, .clock: status = 5
            case .tls: status = 3
            case .local: status = 1
            }
        }
        try? local.saveSyncRecord(record)
        await engine.client.shutdown()
        if status != 0 { throw ExitCode(status) }
    }
}
