import Synchronization
import Sync

/// Central's own counters for `/metrics` (`edge_central_*`), per process: Prometheus sums
/// them across replicas.
public final class CentralMetrics: Sendable {
    let changesApplied = Atomic<Int>(0)
    let changesAlreadyKnown = Atomic<Int>(0)
    let samplesInserted = Atomic<Int>(0)
    let samplesDuplicate = Atomic<Int>(0)
    let databaseUp = Atomic<Bool>(false)
    let version: String

    public init(version: String) {
        self.version = version
    }

    func changesReceived(_ results: [SyncWire.ChangeResult]) {
        let applied = results.count { $0.outcome == .applied }
        changesApplied.add(applied, ordering: .relaxed)
        changesAlreadyKnown.add(results.count - applied, ordering: .relaxed)
    }

    func samplesIngested(inserted: Int, duplicates: Int) {
        samplesInserted.add(inserted, ordering: .relaxed)
        samplesDuplicate.add(duplicates, ordering: .relaxed)
    }

    public func setDatabaseUp(_ up: Bool) { databaseUp.store(up, ordering: .relaxed) }
    public var isDatabaseUp: Bool { databaseUp.load(ordering: .relaxed) }

    /// The Prometheus text exposition.
    func render() -> String {
        func family(_ name: String, _ type: String, _ help: String, _ lines: [String]) -> String {
            "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n" + lines.map { $0 + "\n" }.joined()
        }
        return family("edge_central_build_info", "gauge", "Version of edge-central.",
                      ["edge_central_build_info{version=\(JSONText.quote(version))} 1"])
            + family("edge_central_database_up", "gauge", "Whether the last check reached PostgreSQL (1) or not (0).",
                     ["edge_central_database_up \(isDatabaseUp ? 1 : 0)"])
            + family("edge_central_changes_received_total", "counter", "Task changes received from nodes, by outcome.", [
                #"edge_central_changes_received_total{outcome="applied"} \#(changesApplied.load(ordering: .relaxed))"#,
                #"edge_central_changes_received_total{outcome="already_known"} \#(changesAlreadyKnown.load(ordering: .relaxed))"#,
            ])
            + family("edge_central_samples_received_total", "counter", "Samples received from nodes, by outcome.", [
                #"edge_central_samples_received_total{outcome="inserted"} \#(samplesInserted.load(ordering: .relaxed))"#,
                #"edge_central_samples_received_total{outcome="duplicate"} \#(samplesDuplicate.load(ordering: .relaxed))"#,
            ])
    }
}
