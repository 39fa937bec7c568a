import ArgumentParser
import CentralStore
import CommandLineSupport
import Sync

/// `edge-central join-tokens create|list|revoke`: tokens a new node uses once to enroll
/// itself (`edge-agent run --join-token-file`) and receive its own node token.
struct JoinTokensCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join-tokens",
        abstract: "Create, list and revoke join tokens, with which new nodes enroll themselves.",
        discussion: """
            A node given a join token (edge-agent --join-token-file) and no node token yet calls \
            POST /v1/enroll with its name and receives its own node token, which it keeps in its data \
            directory. A join token enrolls only names not registered yet, or reset with \
            `nodes rotate`; it never takes over an enrolled node's identity.
            """,
        subcommands: [Create.self, List.self, Revoke.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a join token and print it once (only a hash is stored).",
            discussion: "Put it in a Kubernetes Secret with one key (see docs/deployment.md), or in a file on a bare Pi.")
        @Option(help: ArgumentHelp("How long the token is valid, e.g. 24h, 7d (1m to 365d).", valueName: "duration"))
        var ttl = "24h"
        @Option(help: ArgumentHelp("How many nodes it may enroll (default: any number until it expires).", valueName: "n"))
        var uses: Int?
        @Option(
            help: ArgumentHelp(
                "Enroll only names matching this pattern (* any run, ? one character), e.g. rpi-worker-*.",
                valueName: "pattern"))
        var nodes: String?
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            guard let ttl = DurationText.parseMillis(ttl), ttl >= 60_000, ttl <= 365 * 86_400_000 else {
                throw ValidationError("--ttl: \"\(ttl.prefix(40))\" is not a duration from 1m to 365d (e.g. 24h, 7d)")
            }
            if let uses, !(1...1_000_000).contains(uses) { throw ValidationError("--uses: \(uses) is not a number from 1 to 1000000") }
            if let nodes, !NodePattern.isValid(nodes) {
                throw ValidationError("--nodes: \"\(nodes.prefix(60))\" is not a node-name pattern (letters, digits, . _ - and * ?)")
            }
        }

        func run() async throws {
            try await CentralCLI.run {
                let millis = DurationText.parseMillis(ttl)!
                let created = try await database.withStore(logger: quietLogger()) { store in
                    try await store.migrate()
                    return try await store.createJoinToken(ttlMillis: millis, maxUses: uses.map(Int32.init), nodePattern: nodes)
                }
                Output.line(created.token)
                CentralCLI.printError(
                    "join token \(created.id) created: expires \(RFC3339.format(millis: created.expiresAt)), "
                        + "\(uses.map { "\($0) enrollment\($0 == 1 ? "" : "s")" } ?? "any number of enrollments"), "
                        + "\(nodes.map { "names matching \($0)" } ?? "any name"); the token above is shown only now")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List join tokens: state, expiry, uses, name pattern (never the tokens).")
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await CentralCLI.run {
                let tokens = try await database.withStore(logger: quietLogger()) { try await $0.joinTokens() }
                if tokens.isEmpty { Output.line("no join tokens; create one with `edge-central join-tokens create`") }
                let now = WallClock.system.nowMillis()
                for t in tokens {
                    let uses = t.maxUses.map { "\(t.uses)/\($0)" } ?? "\(t.uses)"
                    Output.line(
                        "\(t.id)  \(t.state(now: now))  expires \(RFC3339.format(millis: t.expiresAt))  uses \(uses)  "
                            + "names \(t.nodePattern ?? "*")  last used \(t.lastUsedAt.map { RFC3339.format(millis: $0) } ?? "never")")
                }
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a join token at once (nodes it enrolled keep their tokens).")
        @Argument(help: "The join token's ID, from `join-tokens list`.") var id: Int32
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await CentralCLI.run {
                try await database.withStore(logger: quietLogger()) { try await $0.revokeJoinToken(id) }
                Output.line("join token \(id) revoked")
            }
        }
    }
}
