import ArgumentParser
import CentralStore
import CommandLineSupport
import Logging

/// `edge-central`: the household's central API (docs/central-api.md).
@main
struct EdgeCentral: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "edge-central",
        abstract: "The central PostgreSQL-backed API that edge-agent nodes sync with.",
        discussion: """
            Every node syncs its tasks and metric samples here whenever it can reach it. All state \
            lives in PostgreSQL, so several `serve` processes on one database behave as one.
            Start with `edge-central migrate`, then either register each node with `edge-central nodes add NAME` \
            (the printed token goes into the node's --central-token-file) or create a join token with \
            `edge-central join-tokens create` with which nodes enroll themselves; then `edge-central serve`.
            """,
        version: "edge-central \(version)",
        subcommands: [ServeCommand.self, MigrateCommand.self, NodesCommand.self, JoinTokensCommand.self, DBCommand.self])
}

/// What a failed command prints: one line, and exit status 2 for configuration, 1 otherwise.
enum CentralCLI {
    static func run(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as ExitCode {
            throw error
        } catch let error as ConfigurationError {
            printError(error.message)
            throw ExitCode(2)
        } catch let error as RetentionFailure {
            printError(error.description + " (the next run resumes it)")
            if let store = error.error as? CentralStoreError, case .unavailable = store { throw ExitCode(3) }
            throw ExitCode(1)
        } catch let error as CentralStoreError {
            printError(error.description)
            if case .unavailable = error { throw ExitCode(3) }
            throw ExitCode(1)
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
    }

    static func printError(_ message: String) {
        Output.error("edge-central: \(message)")
    }
}
