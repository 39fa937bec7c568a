import ArgumentParser
import CommandLineSupport
import HostProbes
import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `edge-agent hw`: one reading of this node's hardware, printed.
struct HardwareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hw",
        abstract: "Read this node's hardware once and print it.",
        discussion: """
            The prometheus format is exactly what /metrics shows for hardware: node_exporter's \
            collectors (--collector.NAME, --no-collector.NAME) and the Pi's edge_* figures, read now. \
            A source that is absent (no thermal zone on a VM, no firmware throttling flags off a Pi) \
            is left out; --verbose says why.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, prometheus
    }

    @Option(help: "Output format.") var format: Format = .text
    @OptionGroup var probes: ProbeOptions
    @Option(
        name: .customLong("node-name"),
        help: ArgumentHelp(
            "Node name shown in the output. [env: EDGE_NODE_NAME] [default: the host name]", valueName: "name"))
    var nodeNameFlag: String?
    @Flag(help: "Also list, on standard error, each source that was absent or unreadable.") var verbose = false

    func run() throws {
        try reportingErrors {
            let takenAt = WallClock.system.nowMillis()
            let node = Settings.resolve(flag: nodeNameFlag, env: "EDGE_NODE_NAME") { Settings.hostName() }
            let reader = try probes.reader(nodeName: node)
            let collectors = try probes.collectorSelection()
            let issues: [ProbeIssue]
            switch format {
            case .text, .json:
                let reading = reader.read()
                issues = reading.issues
                if format == .text {
                    Output.write(fd: 1, reading.text(node: node))
                } else {
                    Output.line(try reading.json(node: node, takenAt: Date(timeIntervalSince1970: Double(takenAt) / 1000)))
                }
            case .prometheus:
                // What /metrics shows for the hardware: every enabled collector, read now.
                let scrape = reader.scrape(collectors)
                issues = scrape.issues
                Output.write(fd: 1, PrometheusExposition.render(scrape.families))
            }
            if verbose {
                for issue in issues { Output.error("\(issue.probe): \(issue.message)") }
            }
        }
    }
}
