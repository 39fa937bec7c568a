import CommandLineSupport
import ArgumentParser
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
            The prometheus format is exactly what /metrics shows for hardware. A source that is \
            absent (no thermal zone on a VM, no firmware throttling flags off a Pi) is left out; \
            --verbose says why.
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, prometheus
    }

    @Option(help: "Output format.") var format: Format = .text
    @OptionGroup var probes: ProbeOptions
    @Option(name: .customLong("node-name"), help: ArgumentHelp(
        "Node name shown in the output. [env: EDGE_NODE_NAME] [default: the host name]", valueName: "name"))
    var nodeNameFlag: String?
    @Flag(help: "Also list, on standard error, each source that was absent or unreadable.") var verbose = false

    func run() throws {
        try reportingErrors {
            let takenAt = WallClock.system.nowMillis()
            let reading = try probes.reader().read()
            let node = Settings.resolve(flag: nodeNameFlag, env: "EDGE_NODE_NAME") { Settings.hostName() }
            switch format {
            case .text: Output.write(fd: 1, reading.text(node: node))
            case .json: Output.line(try reading.json(node: node, takenAt: Date(timeIntervalSince1970: Double(takenAt) / 1000)))
            case .prometheus: Output.write(fd: 1, PrometheusExposition.render(reading.metricFamilies))
            }
            if verbose {
                for issue in reading.issues { Output.error("\(issue.probe): \(issue.message)") }
            }
        }
    }
}
