import GRDB
import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where a boot's `CLOCK_BOOTTIME` stands in true time: at `mono` ms after the boot began, the
/// true time was `wall`.
struct BootAnchor: Equatable {
    enum Source: String {
        /// A reading taken with the wall clock synchronised (NTP): wins over central.
        case ntp
        /// Central's `Date` header, when this node's clock is not synchronised.
        case central
    }

    var mono: Int64
    var wall: Int64
    var source: Source

    func trueTime(atMono m: Int64) -> Int64 { wall - (mono - m) }
}

/// One boot of the machine as the store knows it.
struct BootRow {
    var id: Int64
    /// The lowest stored timestamp of its readings (where a scan for them may start).
    var firstTS: Int64?
    var anchor: BootAnchor?

    init(id: Int64, firstTS: Int64?, anchor: BootAnchor?) {
        self.id = id
        self.firstTS = firstTS
        self.anchor = anchor
    }

    init(_ row: Row) {
        id = row["id"]
        firstTS = row["first_ts"]
        if let mono: Int64 = row["anchor_mono"], let wall: Int64 = row["anchor_wall"],
            let source = (row["anchor_source"] as String?).flatMap(BootAnchor.Source.init)
        {
            anchor = BootAnchor(mono: mono, wall: wall, source: source)
        }
    }
}

/// Re-timing readings taken before the wall clock was right.
///
/// A Raspberry Pi has no real-time clock: it boots at its last saved time, or in 1970, and
/// NTP steps the clock later, possibly backwards. Each reading keeps its boot and
/// `CLOCK_BOOTTIME`. Once a boot's true time is known (an *anchor*: the first reading taken
/// with the clock synchronised, or central's clock when the node's is not), the boot's
/// untrusted readings that central has not received yet are moved to their true times and
/// marked `corrected`, and every reading not yet sent that lies after the present is moved
/// back before it. Later untrusted readings of an anchored boot are stored at their true time
/// straight away. Sent readings never move (a sample's identity is final once sent), which is
/// why the sample push holds back readings that may still move: see ``sampleBatch(node:after:maxSamples:aheadLimit:)``.
extension LocalStore {
    /// How long the untrusted readings of a boot without an anchor wait for one before they
    /// are sent as they are (marked `untrusted`, and counted).
    public static let untrustedHoldMillis: Int64 = 24 * 3_600_000
    /// A synchronised reading further than this from the anchor's prediction means the clock
    /// stepped: the boot is anchored again and its readings re-timed.
    static let ntpStepMillis: Int64 = 1000
    /// Central's `Date` has whole seconds, and the round trip adds to it.
    static let centralStepMillis: Int64 = 2000
    /// A re-timed reading that had to be pushed further than this from its true time (to keep
    /// timestamps unique and after what central holds) stays `untrusted`.
    static let maxCorrectedClampMillis: Int64 = 2000

    /// Readings stamped after this wait (``sampleBatch(node:after:maxSamples:aheadLimit:)``):
    /// central's clock (`now` plus its measured offset) plus the drift a stamp may have.
    public static func aheadLimit(now: Int64, centralOffsetMillis: Int64?) -> Int64? {
        centralOffsetMillis.map { now + $0 + HybridLogicalClock.defaultMaxForwardDrift }
    }

    func bootRow(_ bootID: String, _ db: Database) throws -> BootRow {
        if let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT id, first_ts, anchor_mono, anchor_wall, anchor_source FROM clock_boot WHERE boot_id = ?"),
            arguments: [bootID])
        {
            return BootRow(row)
        }
        try db.execute(sql: "INSERT INTO clock_boot(boot_id) VALUES (?)", arguments: [bootID])
        return BootRow(id: db.lastInsertedRowID, firstTS: nil, anchor: nil)
    }

    func saveAnchor(_ anchor: BootAnchor, boot: Int64, _ db: Database) throws {
        try db.execute(
            sql: "UPDATE clock_boot SET anchor_mono = ?, anchor_wall = ?, anchor_source = ? WHERE id = ?",
            arguments: [anchor.mono, anchor.wall, anchor.source.rawValue, boot])
    }

    func noteStored(_ ts: Int64, boot: BootRow, _ db: Database) throws {
        if boot.firstTS.map({ ts < $0 }) ?? true {
            try db.cachedStatement(sql: "UPDATE clock_boot SET first_ts = ? WHERE id = ?").execute(arguments: [ts, boot.id])
        }
    }

    /// Moves the not yet delivered readings that `boot`'s anchor can place: its untrusted
    /// readings, and any reading at or after `present` (taken while the clock ran ahead).
    /// Returns how many moved. Runs inside the caller's transaction.
    func retime(_ boot: BootRow, present: Int64, _ db: Database) throws -> Int {
        guard let anchor = boot.anchor else { return 0 }
        let delivered = try sentThrough(db)
        struct Moving {
            var ts: Int64, layout: Int64, code: Int, vals: Data, boot: Int64?, mono: Int64?
            var target: Int64 = 0, exact = false
        }
        var moving: [Int64: Moving] = [:]
        func collect(_ sql: String, _ arguments: StatementArguments) throws {
            let rows = try Row.fetchCursor(
                db, sql: "SELECT ts, layout_id, clock_synced, vals, boot, mono FROM metric_reading WHERE " + sql,
                arguments: arguments)
            while let row = try rows.next() {
                moving[row["ts"]] = Moving(
                    ts: row["ts"], layout: row["layout_id"], code: row["clock_synced"], vals: row["vals"],
                    boot: row["boot"], mono: row["mono"])
            }
        }
        if let first = boot.firstTS {
            try collect("ts > ? AND boot = ? AND clock_synced = 0 AND mono IS NOT NULL", [max(delivered, first - 1), boot.id])
        }
        try collect("ts > ? AND ts >= ?", [delivered, present])
        guard !moving.isEmpty else { return 0 }
        for ts in moving.keys {
            try db.cachedStatement(sql: "DELETE FROM metric_reading WHERE ts = ?").execute(arguments: [ts])
        }

        // Readings of this boot go to their true times. Others (another boot that ran ahead,
        // or no boot recorded) keep their spacing and end before this boot began, or before
        // the present if that is earlier: their true time is not known, only its bound.
        var rows = Array(moving.values)
        let bootStart = anchor.wall - anchor.mono
        var guessed: [Int] = []
        for i in rows.indices {
            if rows[i].boot == boot.id, let m = rows[i].mono, anchor.trueTime(atMono: m) < present {
                rows[i].target = anchor.trueTime(atMono: m)
                rows[i].exact = true
            } else {
                guessed.append(i)
            }
        }
        for ownBoot in [true, false] {
            let group = guessed.filter { (rows[$0].boot == boot.id) == ownBoot }.sorted { rows[$0].ts < rows[$1].ts }
            guard let newest = group.last.map({ rows[$0].ts }) else { continue }
            let ceiling = ownBoot ? present : min(bootStart, present)
            for i in group { rows[i].target = ceiling - 1 - (newest - rows[i].ts) }
        }
        rows.sort { ($0.target, $0.ts) < ($1.target, $1.ts) }

        var previous = delivered
        var lowest = Int64.max
        for row in rows {
            var ts = max(row.target, previous == Int64.min ? row.target : previous + 1)
            // A reading whose true time is within a second of its stored one keeps it.
            if row.exact, abs(row.ts - row.target) < 1000, row.ts > previous { ts = row.ts }
            while try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM metric_reading WHERE ts = ?"), arguments: [ts]) == true {
                ts += 1
            }
            let code =
                row.exact && abs(ts - row.target) <= Self.maxCorrectedClampMillis
                ? SyncWire.SampleClock.corrected.code
                : SyncWire.SampleClock.untrusted.code
            try db.cachedStatement(sql: "INSERT INTO metric_reading(ts, layout_id, clock_synced, vals, boot, mono) VALUES (?, ?, ?, ?, ?, ?)")
                .execute(arguments: [ts, row.layout, code, row.vals, row.boot, row.mono])
            if row.boot == boot.id { lowest = min(lowest, ts) }
            previous = ts
        }
        if lowest != Int64.max { try noteStored(lowest, boot: boot, db) }
        try addToState("readings_retimed", Int64(rows.count), db)
        return rows.count
    }

    /// Anchors this boot to central's clock (`centralNow`, at `mono` ms of `CLOCK_BOOTTIME`)
    /// unless a synchronised reading already anchored it (NTP wins) or the anchor it has still
    /// agrees, and re-times what it can. Returns how many readings moved.
    @discardableResult
    public func anchorToCentral(centralNow: Int64, mono: Int64) throws -> Int {
        guard let bootID = configuration.boot.bootID else { return 0 }
        var pending = MetricCatalog.Pending()
        let moved: Int = try write { db in
            var boot = try bootRow(bootID, db)
            if let anchor = boot.anchor {
                if anchor.source == .ntp { return 0 }
                if abs(anchor.trueTime(atMono: mono) - centralNow) <= Self.centralStepMillis { return 0 }
            }
            let anchor = BootAnchor(mono: mono, wall: centralNow, source: .central)
            try saveAnchor(anchor, boot: boot.id, db)
            boot.anchor = anchor
            let moved = try retime(boot, present: centralNow, db)
            pending.lastTimestamp = try Int64.fetchOne(db, sql: "SELECT MAX(ts) FROM metric_reading")
            return moved
        }
        catalog.commit(pending)
        return moved
    }

    /// Whether a stored reading must wait before it is sent: it lies beyond `aheadLimit`
    /// (central's clock plus the drift allowed), or it is an untrusted reading of this boot,
    /// which has no anchor yet, taken less than ``untrustedHoldMillis`` ago.
    struct ClockHold {
        var aheadLimit: Int64?
        var boot: Int64?
        var bootFirstTS: Int64?
        var monoNow: Int64?

        func holds(ts: Int64, code: Int, boot readingBoot: Int64?, mono: Int64?) -> Bool {
            if let aheadLimit, ts > aheadLimit { return true }
            guard code == 0, let boot, readingBoot == boot, let mono, let monoNow else { return false }
            return monoNow - mono < LocalStore.untrustedHoldMillis
        }
    }

    func clockHold(aheadLimit: Int64?, _ db: Database) throws -> ClockHold {
        var hold = ClockHold(aheadLimit: aheadLimit)
        if let bootID = configuration.boot.bootID,
            let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, first_ts, anchor_wall FROM clock_boot WHERE boot_id = ?"), arguments: [bootID]),
            (row["anchor_wall"] as Int64?) == nil
        {
            hold.boot = row["id"]
            hold.bootFirstTS = row["first_ts"]
            hold.monoNow = configuration.boot.nowMillis()
        }
        return hold
    }

    /// Readings not yet sent that wait for a clock: taken in this boot before its true time
    /// was known, or stamped beyond `aheadLimit` (central's clock plus 10 minutes).
    public func readingsWaitingForClock(aheadLimit: Int64?) throws -> Int {
        try read { db in
            let hold = try clockHold(aheadLimit: aheadLimit, db)
            guard hold.aheadLimit != nil || hold.boot != nil else { return 0 }
            let delivered = try stateValue("samples_delivered_through", db) ?? Int64.min
            var count = 0
            if let limit = hold.aheadLimit {
                count += try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM metric_reading WHERE ts > ?"), arguments: [max(delivered, limit)]) ?? 0
            }
            if let boot = hold.boot, let first = hold.bootFirstTS, let monoNow = hold.monoNow {
                count +=
                    try Int.fetchOne(
                        db.cachedStatement(
                            sql: """
                                SELECT COUNT(*) FROM metric_reading
                                WHERE ts > ? AND ts <= ? AND boot = ? AND clock_synced = 0 AND mono > ?
                                """), arguments: [max(delivered, first - 1), hold.aheadLimit ?? Int64.max, boot, monoNow - Self.untrustedHoldMillis]) ?? 0
            }
            return count
        }
    }

    /// Readings moved to their true times since the database was created (`edge_readings_retimed_total`).
    public func readingsRetimedTotal() throws -> Int64 {
        try read { db in try stateValue("readings_retimed", db) ?? 0 }
    }

    /// Readings sent to central marked `untrusted` (their true time never became known).
    public func readingsSentUntrustedTotal() throws -> Int64 {
        try read { db in try stateValue("readings_sent_untrusted", db) ?? 0 }
    }
}
