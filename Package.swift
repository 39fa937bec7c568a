// swift-tools-version:6.2
import PackageDescription

/// Our own targets treat warnings as errors; dependencies are unaffected.
let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "edge-agent",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "edge-agent", targets: ["EdgeAgent"]),
        .executable(name: "edge-central", targets: ["EdgeCentral"]),
        .executable(name: "edge-bench", targets: ["EdgeBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Default traits off: they pull in full Foundation (ICU) and swift-configuration.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
    ],
    targets: [
        // Protocol types, the hybrid logical clock and the merge rules. Depends on no storage.
        .target(name: "Sync", swiftSettings: strict),

        // The node's SQLite database (tasks, change log, clock state) through GRDB.
        .target(
            name: "LocalStore",
            dependencies: [
                "Sync", "HouseholdTime",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict),

        // Hardware probes: procfs/sysfs under a host root, each a pure parser plus a reader.
        .target(name: "HostProbes", dependencies: ["Sync"], swiftSettings: strict),

        // System libgpiod (Debian 12: v1 API).
        .systemLibrary(
            name: "CGPIOD",
            pkgConfig: "libgpiod",
            providers: [.apt(["libgpiod-dev"])]),

        // libgpiod behind HostProbes' GPIO seam; all v1 API calls in one file.
        .target(name: "Libgpiod", dependencies: ["CGPIOD", "HostProbes"], swiftSettings: strict),

        // The sampler and metrics maintenance services of `edge-agent run`.
        .target(
            name: "Sampling",
            dependencies: [
                "HostProbes", "LocalStore", "Sync",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),

        // What one HTTP server lets a LAN client hold: header and idle timeouts, a connection
        // cap below the open-file limit, HTTP/1.0 closed after its response.
        .target(
            name: "ConnectionLimits",
            dependencies: [
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),

        // The household task API shared by the agent and central: `/v1/tasks` over a
        // `TaskRepository`, the JSON error form, request bodies.
        .target(
            name: "HouseholdAPI",
            dependencies: [
                "Sync",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),

        // The local HTTP API: tasks, node, series, status, probes, /metrics, OpenAPI, pages.
        .target(
            name: "AgentAPI",
            dependencies: [
                "HouseholdAPI", "LocalStore", "Sync", "HostProbes", "Sampling", "ConnectionLimits",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),

        // The agent's side of sync: the cycle against central, its HTTP client, the loop.
        .target(
            name: "SyncAgent",
            dependencies: [
                "Sync", "LocalStore", "CommandLineSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),

        // edge-central's PostgreSQL store: nodes and tokens, tasks, the change feed, samples.
        // Only edge-central links it (and PostgresNIO); the agent never does.
        .target(
            name: "CentralStore",
            dependencies: [
                "Sync", "HouseholdTime",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),

        // edge-central's HTTP API: sync endpoints, household tasks, nodes, series, probes.
        .target(
            name: "CentralAPI",
            dependencies: [
                "CentralStore", "HouseholdAPI", "Sync", "ConnectionLimits",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),

        // The household's time zone, read from the IANA database's TZif files (no ICU):
        // local dates for --due, local times for the CLI.
        .target(name: "HouseholdTime", dependencies: ["Sync"], swiftSettings: strict),

        // What both executables' command lines share: settings resolution, log options.
        .target(
            name: "CommandLineSupport",
            dependencies: [
                "Sync", "ConnectionLimits", "HouseholdTime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),

        // The `edge-central` executable: serve, migrate, nodes.
        .executableTarget(
            name: "EdgeCentral",
            dependencies: [
                "CentralAPI", "ConnectionLimits", "CentralStore", "CommandLineSupport", "HouseholdAPI", "HouseholdTime", "Sync",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),

        .executableTarget(
            name: "EdgeAgent",
            dependencies: [
                "CommandLineSupport",
                "HouseholdTime",
                "SyncAgent",
                "Sync",
                "LocalStore",
                "HostProbes",
                "Libgpiod",
                "Sampling",
                "AgentAPI",
                "ConnectionLimits",
                "CGPIOD",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),

        // Benchmarks and load generators (`make bench`); also the writer the crash tests kill.
        .executableTarget(
            name: "EdgeBench",
            dependencies: [
                "Sync",
                "CommandLineSupport",
                "CentralStore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                "LocalStore",
                "HostProbes",
                "Sampling",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),

        .testTarget(name: "SyncTests", dependencies: ["Sync", "HouseholdTime", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "HouseholdTimeTests", dependencies: ["HouseholdTime", "Sync", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "CentralStoreTests",
            dependencies: [
                "CentralStore", "Sync", "TestSupport",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "CentralAPITests",
            dependencies: ["CentralAPI", "HouseholdAPI", "Sync", "TestSupport"],
            swiftSettings: strict),
        .testTarget(name: "HostProbesTests", dependencies: ["HostProbes", "Libgpiod", "Sync", "TestSupport"], swiftSettings: strict),
        .testTarget(
            name: "AgentAPITests",
            dependencies: [
                "AgentAPI", "HouseholdAPI", "LocalStore", "Sync", "HostProbes", "Sampling", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "SamplingTests",
            dependencies: ["Sampling", "HostProbes", "LocalStore", "Sync", "TestSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        // What several test targets share (temporary directories, a seeded generator, openapi/).
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strict),
        .testTarget(
            name: "LocalStoreTests",
            dependencies: ["LocalStore", "Sync", "HouseholdTime", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict),
        .testTarget(
            name: "SyncAgentTests",
            dependencies: [
                "SyncAgent", "LocalStore", "Sync", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "EdgeAgentTests",
            dependencies: ["LocalStore", "Sync", "TestSupport"],
            swiftSettings: strict),
    ]
)
