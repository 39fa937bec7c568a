import ArgumentParser
import CentralStore
import CommandLineSupport
import Sync

/// `--sample-retention` and `--rollup-retention`, shared by `serve` and `db retention`.
struct RetentionOptions: ParsableArguments {
    @Option(
        name: .customLong("sample-retention"),
        help: ArgumentHelp(
            "How long raw samples are kept, in whole days of their timestamps; older samples a node sends are acknowledged "
                + "as expired and not stored. At least 1d. [env: EDGE_CENTRAL_SAMPLE_RETENTION] [default: 14d]", valueName: "duration"))
    var sampleRetentionFlag: String?

    @Option(
        name: .customLong("rollup-retention"),
        help: ArgumentHelp(
            "How long per-minute rollups (avg/min/max/count per series) are kept, dropped by whole months; hourly rollups "
                + "are kept for good. At least --sample-retention. [env: EDGE_CENTRAL_ROLLUP_RETENTION] [default: 400d]",
            valueName: "duration"))
    var rollupRetentionFlag: String?

    func policy() throws -> RetentionPolicy {
        func duration(_ flag: String?, _ env: String, _ option: String, _ fallback: String) throws -> Int64 {
            let text = Settings.resolve(flag: flag, env: env) { fallback }
            guard let millis = DurationText.parseMillis(text), millis >= RetentionPolicy.day, millis <= 100 * 366 * RetentionPolicy.day else {
                throw ConfigurationError("--\(option) / \(env): \"\(text.prefix(40))\" is not a duration from 1d to 100 years, such as 14d or 2w")
            }
            return millis
        }
        let raw = try duration(sampleRetentionFlag, "EDGE_CENTRAL_SAMPLE_RETENTION", "sample-retention", "14d")
        let rollup = try duration(rollupRetentionFlag, "EDGE_CENTRAL_ROLLUP_RETENTION", "rollup-retention", "400d")
        guard rollup >= raw else {
            throw ConfigurationError("--rollup-retention / EDGE_CENTRAL_ROLLUP_RETENTION must not be shorter than --sample-retention")
        }
        return RetentionPolicy(sampleRetention: raw, rollupRetention: rollup)
    }
}
