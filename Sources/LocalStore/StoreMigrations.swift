import GRDB

extension LocalStore {
    /// The schema, as named migrations. A shipped migration is never edited: changes go in a
    /// new one appended below. Migrations use SQL only, never app types.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()

        migrator.registerMigration("2026-11-22 tasks, change log, clock") { db in
            // One row per task, tombstones included. Each mergeable field has the clock stamp
            // (HLCTimestamp text, ordered as bytes) of the change that set it; NULL = never set.
            try db.execute(
                sql: """
                    CREATE TABLE task (
                        id TEXT PRIMARY KEY NOT NULL,
                        title TEXT NOT NULL DEFAULT '',
                        title_v TEXT,
                        notes TEXT NOT NULL DEFAULT '',
                        notes_v TEXT,
                        due_at INTEGER,
                        due_at_v TEXT,
                        assignee TEXT,
                        assignee_v TEXT,
                        done INTEGER NOT NULL DEFAULT 0,
                        completed_at INTEGER,
                        done_v TEXT,
                        deleted INTEGER NOT NULL DEFAULT 0,
                        deleted_v TEXT,
                        created_at INTEGER NOT NULL,
                        updated_at INTEGER NOT NULL,
                        origin TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX task_by_created ON task(deleted, created_at DESC, id);

                    -- Local changes not yet acknowledged by central, in the order they were made.
                    -- Written in the same transaction as the task row it describes.
                    CREATE TABLE change_log (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        change_id TEXT NOT NULL UNIQUE,
                        task_id TEXT NOT NULL,
                        stamp TEXT NOT NULL,
                        body TEXT NOT NULL,
                        recorded_at INTEGER NOT NULL
                    );

                    -- The hybrid logical clock's last reading, so stamps keep increasing across
                    -- restarts and across processes sharing this file.
                    CREATE TABLE clock (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        physical INTEGER NOT NULL,
                        counter INTEGER NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("2026-11-22 metrics") { db in
            // Series dictionary: name + labels -> small integer id.
            // A layout is the ordered list of series one reading holds (packed little-endian
            // Int32 ids); readings with the same series share a layout.
            // One row per reading, its values packed as little-endian Float64 in layout order:
            // a reading appends ~1 KB to the rightmost page instead of dirtying a page per series.
            // `ts` (milliseconds) is the rowid and strictly increases in insertion order.
            // Rollups hold min, max and sum per series (packed the same way) and the count of
            // readings, per minute (resolution 60000) or hour (3600000).
            try db.execute(
                sql: """
                    CREATE TABLE metric_series (
                        id INTEGER PRIMARY KEY,
                        name TEXT NOT NULL,
                        labels TEXT NOT NULL,
                        UNIQUE (name, labels)
                    );
                    CREATE TABLE metric_layout (
                        id INTEGER PRIMARY KEY,
                        series BLOB NOT NULL UNIQUE
                    );
                    CREATE TABLE metric_reading (
                        ts INTEGER PRIMARY KEY,
                        layout_id INTEGER NOT NULL,
                        clock_synced INTEGER NOT NULL,
                        vals BLOB NOT NULL
                    );
                    CREATE TABLE metric_rollup (
                        resolution INTEGER NOT NULL,
                        bucket INTEGER NOT NULL,
                        layout_id INTEGER NOT NULL,
                        n INTEGER NOT NULL,
                        mins BLOB NOT NULL,
                        maxs BLOB NOT NULL,
                        sums BLOB NOT NULL,
                        PRIMARY KEY (resolution, bucket, layout_id)
                    ) WITHOUT ROWID;
                    -- Small named values that must survive restarts (counters, sync watermarks).
                    CREATE TABLE store_state (
                        key TEXT PRIMARY KEY NOT NULL,
                        value INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("2026-11-22 task list version") { db in
            // Bumped by every change to the task table, whoever makes it (daemon, CLI, sync),
            // so a cached task list or an ETag knows when it is stale. It lives on the clock
            // row, whose page every task commit writes anyway: no extra page per commit.
            try db.execute(
                sql: """
                    ALTER TABLE clock ADD COLUMN tasks_version INTEGER NOT NULL DEFAULT 0;
                    INSERT OR IGNORE INTO clock(id, physical, counter) VALUES (1, 0, 0);
                    CREATE TRIGGER task_version_insert AFTER INSERT ON task BEGIN
                        UPDATE clock SET tasks_version = tasks_version + 1 WHERE id = 1;
                    END;
                    CREATE TRIGGER task_version_update AFTER UPDATE ON task BEGIN
                        UPDATE clock SET tasks_version = tasks_version + 1 WHERE id = 1;
                    END;
                    CREATE TRIGGER task_version_delete AFTER DELETE ON task BEGIN
                        UPDATE clock SET tasks_version = tasks_version + 1 WHERE id = 1;
                    END;
                    """)
        }
        migrator.registerMigration("2026-11-22 sync") { db in
            // Where sync stands, for the daemon and for `edge-agent status` in another process.
            // The pull cursor and the resync flag live in store_state beside the sample mark.
            try db.execute(
                sql: """
                    CREATE TABLE sync_status (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        central_url TEXT,
                        state TEXT NOT NULL,
                        last_attempt_at INTEGER,
                        last_success_at INTEGER,
                        last_error TEXT,
                        errors TEXT NOT NULL DEFAULT '{}'
                    );
                    CREATE TABLE sync_cursor (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        cursor TEXT NOT NULL,
                        resync_pending INTEGER NOT NULL DEFAULT 0
                    );
                    INSERT INTO sync_cursor(id, cursor) VALUES (1, '0-0000000000000000');
                    """)
        }
        migrator.registerMigration("2026-11-27 sync clock offset") { db in
            // Central's clock minus ours at the last answer (from its Date header), for status.
            try db.execute(sql: "ALTER TABLE sync_status ADD COLUMN clock_offset_ms INTEGER")
        }
        migrator.registerMigration("2026-12-02 change quarantine") { db in
            // A change that cannot be sent (unreadable, or refused by central) stays in the log
            // with the reason, out of the push queue, until the operator retries or drops it.
            try db.execute(
                sql: """
                    ALTER TABLE change_log ADD COLUMN quarantine_reason TEXT;
                    ALTER TABLE change_log ADD COLUMN quarantined_at INTEGER;
                    """)
        }
        migrator.registerMigration("2026-12-03 reading clocks") { db in
            // Each reading keeps the boot it was taken in and CLOCK_BOOTTIME at that moment,
            // so readings taken before the wall clock was right can be re-timed once it is.
            // An anchor ties a boot's CLOCK_BOOTTIME to true time: 'ntp' (a reading taken
            // with the clock synchronised) or 'central' (central's Date header); ntp wins.
            // clock_synced: 0 untrusted, 1 synced, 2 corrected (re-timed from an anchor).
            try db.execute(
                sql: """
                    ALTER TABLE metric_reading ADD COLUMN boot INTEGER;
                    ALTER TABLE metric_reading ADD COLUMN mono INTEGER;
                    CREATE TABLE clock_boot (
                        id INTEGER PRIMARY KEY,
                        boot_id TEXT NOT NULL UNIQUE,
                        first_ts INTEGER,
                        anchor_mono INTEGER,
                        anchor_wall INTEGER,
                        anchor_source TEXT
                    );
                    """)
        }
        migrator.registerMigration("2026-12-03 central proofs") { db in
            // Other replicas' changes as pulled, with central's proof (HMAC) that it took each:
            // a resync snapshot carries them back verbatim, and a restored central takes another
            // node's change only with the proof. Kept while a field of the task carries the stamp.
            try db.execute(
                sql: """
                    CREATE TABLE proven_change (
                        change_id TEXT PRIMARY KEY NOT NULL,
                        task_id TEXT NOT NULL,
                        stamp TEXT NOT NULL,
                        body TEXT NOT NULL,
                        proof TEXT NOT NULL
                    );
                    CREATE INDEX proven_change_by_task ON proven_change(task_id);
                    """)
        }
        migrator.registerMigration("2026-12-03 recurring chores") { db in
            // A task's repeat rule (canonical RepeatRule text) with its stamp, and the series a
            // generated occurrence belongs to (the first task's ID; NULL for a person's task).
            try db.execute(
                sql: """
                    ALTER TABLE task ADD COLUMN repeat_rule TEXT;
                    ALTER TABLE task ADD COLUMN repeat_v TEXT;
                    ALTER TABLE task ADD COLUMN series TEXT;
                    CREATE INDEX task_by_series ON task(series) WHERE series IS NOT NULL;
                    """)
        }
        return migrator
    }
}
