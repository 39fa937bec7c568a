import ArgumentParser
import CommandLineSupport
import Logging

/// `edge-central migrate`: applies the schema migrations this binary knows and exits.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the database schema migrations (safe to run from several processes at once).")

    @OptionGroup var database: DatabaseOptions
    @OptionGroup var logging: LogOptions

    func run() async throws {
        try await CentralCLI.run {
            try logging.bootstrap()
            let logger = Logger(label: "edge-central")
            let applied = try await database.withStore(logger: logger) { try await $0.migrate() }
            Output.line(applied.isEmpty ? "schema up to date" : "applied: \(applied.joined(separator: ", "))")
        }
    }
}
