import Sync

/// One sampling of the node: every series read, at one time.
public struct MetricReading: Sendable, Equatable {
    /// Milliseconds since the epoch, by the wall clock at sampling time.
    public var timestamp: Int64
    /// Whether the wall clock was known to be right (NTP-synchronised) when sampled.
    public var clockSynchronized: Bool
    public var values: [SeriesKey: Double]
    /// The boot it was taken in (``BootClock/bootID``), and `CLOCK_BOOTTIME` milliseconds at
    /// ``timestamp``: what re-times it once the wall clock is known to be right. Readings
    /// without them are stored as they come and never re-timed.
    public var boot: String?
    public var mono: Int64?

    public init(timestamp: Int64, clockSynchronized: Bool, values: [SeriesKey: Double], boot: String? = nil, mono: Int64? = nil) {
        self.timestamp = timestamp
        self.clockSynchronized = clockSynchronized
        self.values = values
        self.boot = boot
        self.mono = mono
    }
}

/// Raw samples of one series.
public struct SeriesPoints: Sendable, Equatable {
    public var series: SeriesKey
    public var points: [Point]

    public struct Point: Sendable, Equatable {
        public var timestamp: Int64
        public var value: Double
    }
}

/// A series aggregated into fixed steps.
public struct SeriesBuckets: Sendable, Equatable {
    public var series: SeriesKey
    public var buckets: [Bucket]

    public struct Bucket: Sendable, Equatable {
        /// Start of the step, milliseconds.
        public var timestamp: Int64
        public var min: Double
        public var max: Double
        public var sum: Double
        /// Samples aggregated.
        public var count: Int
        public var average: Double { sum / Double(count) }
    }
}

/// How long metrics are kept, and the size the database must stay under.
public struct RetentionPolicy: Sendable, Equatable {
    /// Raw samples, then rolled up per minute. Default 7 days.
    public var raw: Int64 = 7 * 86_400_000
    /// Per-minute rollups, then rolled up per hour. Default 90 days.
    public var minute: Int64 = 90 * 86_400_000
    /// Per-hour rollups, then dropped. Default 2 years.
    public var hour: Int64 = 730 * 86_400_000
    /// The database's used bytes must stay under this. Default 512 MB.
    public var maxBytes: Int64 = 512_000_000
    /// Raw readings newer than this many milliseconds are never rolled up early for the budget.
    public var keepRecentRaw: Int64 = 3_600_000
    /// Readings per transaction: small, so task writes never wait long.
    public var batch: Int = 40

    public init() {}
}

/// What a maintenance pass did.
public struct MaintenanceReport: Sendable, Equatable {
    public var rolledUpReadings = 0
    public var rolledUpMinutes = 0
    public var droppedSamples: Int64 = 0
    public var transactions = 0
    /// The longest single transaction, in milliseconds of wall time.
    public var longestTransactionMillis: Double = 0
    public init() {}
}
