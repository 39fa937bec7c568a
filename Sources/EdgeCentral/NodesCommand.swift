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

/// `edge-central nodes add|list|revoke|rotate`.
struct NodesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nodes",
        abstract: "Register nodes and manage their tokens.",
        subcommands: [Add.self, List.self, Revoke.self, Rotate.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a node and print its token once (only a hash is stored).",
            discussion: "Put the token in the node's --central-token-file (a Kubernetes Secret or a systemd credential).")
        @Argument(help: "The node's name, as the agent reports it (--node-name).") var name: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await CentralCLI.run {
                let token = try await database.withStore(logger: quietLogger()) { store in
                    try await store.migrate()
                    return try await store.addNode(name)
                }
                Output.line(token)
                CentralCLI.printError("node \(name) registered; the token above is shown only now")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List nodes: last seen, last sync, samples stored.")
        @Flag(name: .long, help: "Print JSON.") var json = false
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await CentralCLI.run {
                let nodes = try await database.withStore(logger: quietLogger()) { try await $0.nodes() }
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                    Output.line(String(decoding: try encoder.encode(["nodes": nodes]), as: UTF8.self))
                    return
                }
                if nodes.isEmpty { Output.line("no nodes; add one with `edge-central nodes add NAME`") }
                for n in nodes {
                    let seen = n.lastSeenAt.map { RFC3339.format(millis: $0) } ?? "never"
                    let synced = n.lastSyncAt.map { RFC3339.format(millis: $0) } ?? "never"
                    Output.line("\(n.name)\(n.revoked ? " (revoked)" : "")  last seen \(seen)  last sync \(synced)  samples \(n.samplesStored)")
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a node's token at once (its data stays).")
        @Argument(help: "The node's name.") var name: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await CentralCLI.run {
                try await database.withStore(logger: quietLogger()) { try await $0.revokeNode(name) }
                Output.line("node \(name) revoked; its token now gets 401")
            }
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a node's tokens and print a new one (its data stays).",
            discussion: "Until the new token is first used, a join token may also enroll the name again: a node that enrolled itself "
                + "(edge-agent --join-token-file) then re-enrolls by itself, and the printed token is revoked.")
        @Argument(help: "The node's name.") var name: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await CentralCLI.run {
                let token = try await database.withStore(logger: quietLogger()) { try await $0.rotateNode(name) }
                Output.line(token)
                CentralCLI.printError("node \(name): new token above; the old one now gets 401")
            }
        }
    }
}

/// Commands that print results log only problems.
func quietLogger() -> Logger {
    var logger = Logger(label: "edge-central")
    logger.logLevel = .error
    return logger
}
