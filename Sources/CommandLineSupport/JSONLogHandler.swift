import Logging
import Sync

#if canImport(Glibc)
    import Glibc
#endif

/// One JSON object per line on standard error:
/// `{"ts":"2026-11-22T04:25:54.120Z","level":"info","logger":"edge-agent","msg":"...","key":"value"}`.
public struct JSONLogHandler: LogHandler {
    let label: String
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    var clock: WallClock = .system

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields = metadata
        if let extra = event.metadata { fields.merge(extra) { _, new in new } }
        var line = "{\"ts\":\"\(RFC3339.format(millis: clock.nowMillis()))\",\"level\":\"\(event.level.rawValue)\""
        line += ",\"logger\":" + JSONText.quote(label) + ",\"msg\":" + JSONText.quote("\(event.message)")
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) where !["ts", "level", "logger", "msg"].contains(key) {
            line += "," + JSONText.quote(key) + ":" + JSONText.quote("\(value)")
        }
        Output.error(line + "}")
    }
}
