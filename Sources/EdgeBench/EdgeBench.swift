import ArgumentParser

/// `edge-bench`: the repository's benchmarks (`make bench`) and load generators.
/// Each benchmark prints what it measured, with medians over several rounds.
@main
struct EdgeBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edge-bench",
        abstract: "Benchmarks and load generators for edge-agent.",
        subcommands: [
            StoreCommitBenchmark.self, SamplerBenchmark.self, FillDatabase.self, ReadyTimeBenchmark.self, AddLoop.self,
            CentralIngestBenchmark.self, CentralPushBenchmark.self, CentralFleetBenchmark.self, SyncDrainBenchmark.self,
            CentralRetentionBenchmark.self, PushEncodeBenchmark.self,
        ])
}
