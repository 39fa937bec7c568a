import ArgumentParser
import HouseholdTime

/// `--timezone`: the household's time zone, for `--due` dates, the times the CLI prints and a
/// recurring chore's next local date (agent and central alike).
public struct TimeZoneOptions: ParsableArguments {
    public init() {}

    @Option(
        name: .customLong("timezone"),
        help: ArgumentHelp(
            "The household's time zone, an IANA name such as Europe/Berlin. [env: EDGE_TIMEZONE] "
                + "[default: /etc/localtime, else TZ, else UTC]",
            valueName: "zone"))
    public var timezone: String?

    public func zone() throws -> HouseholdTimeZone {
        do {
            return try HouseholdTimeZone.resolve(
                option: timezone,
                environment: ["EDGE_TIMEZONE", "TZ", "TZDIR"].reduce(into: [:]) { env, name in env[name] = Settings.environment(name) })
        } catch let error as HouseholdTimeZone.ResolveError {
            throw ConfigurationError(error.description)
        }
    }
}
