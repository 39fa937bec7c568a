/// A setting that cannot be used (unparsable value, unreadable file). Commands report it as
/// one line naming the option and exit with status 2 (README.md, "Configuration").
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
