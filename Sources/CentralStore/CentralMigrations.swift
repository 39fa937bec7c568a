/// Central's schema, as named migrations applied in order and never edited once shipped.
/// `edge-central migrate` and `serve` apply the missing ones under an advisory lock, so
/// replicas starting together apply each exactly once.
enum CentralMigrations {
    static let lockKey: Int64 = 7_310_593_858_008_514_676

    static let all: [(name: String, sql: [String])] = [
        (
            "2026-11-22 nodes, tasks, feed",
            [
                """
                CREATE TABLE node (
                    id             integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    name           text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9._-]{1,253}$' AND name <> 'central'),
                    created_at     timestamptz NOT NULL DEFAULT now(),
                    revoked_at     timestamptz,
                    last_seen_at   timestamptz,
                    last_sync_at   timestamptz,
                    samples_through bigint,
                    samples_stored bigint NOT NULL DEFAULT 0,
                    resync_open_until timestamptz
                )
                """,
                """
                CREATE TABLE node_token (
                    hash       bytea PRIMARY KEY CHECK (length(hash) = 32),
                    node_id    integer NOT NULL REFERENCES node(id),
                    created_at timestamptz NOT NULL DEFAULT now(),
                    revoked_at timestamptz
                )
                """,
                // One row per task: the merge state (every field with its stamp) as JSON, plus the
                // columns listings filter and sort on.
                """
                CREATE TABLE task (
                    id         uuid PRIMARY KEY,
                    record     text NOT NULL,
                    deleted    boolean NOT NULL,
                    done       boolean NOT NULL,
                    created_at bigint NOT NULL
                )
                """,
                "CREATE INDEX task_live ON task (created_at DESC, id) WHERE NOT deleted",
                // Every change that altered central's state, in commit order; seq is gap-free.
                """
                CREATE TABLE change_feed (
                    seq         bigint PRIMARY KEY,
                    tag         bigint NOT NULL,
                    change_id   uuid NOT NULL,
                    task_id     uuid NOT NULL,
                    pushed_by   integer REFERENCES node(id),
                    body        text NOT NULL,
                    recorded_at timestamptz NOT NULL DEFAULT now()
                )
                """,
                // Every change ID ever received, applied or not: pushes are idempotent by it.
                """
                CREATE TABLE applied_change (
                    change_id   uuid PRIMARY KEY,
                    node_id     integer REFERENCES node(id),
                    received_at timestamptz NOT NULL DEFAULT now()
                )
                """,
            ]
        ),
        (
            "2026-11-22 samples",
            [
                """
                CREATE TABLE series (
                    id     integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    name   text NOT NULL,
                    labels text NOT NULL,
                    UNIQUE (name, labels)
                )
                """,
                // The primary key is the uniqueness guarantee (a sample is stored once) and the
                // per-node, per-series time-range index. No foreign keys: nodes and series are never
                // deleted, and a check per row would halve ingest speed.
                """
                CREATE TABLE sample (
                    node_id   integer NOT NULL,
                    series_id integer NOT NULL,
                    ts        bigint NOT NULL,
                    value     double precision NOT NULL,
                    clock     smallint NOT NULL,
                    PRIMARY KEY (node_id, series_id, ts)
                )
                """,
            ]
        ),
        (
            "2026-12-02 clocks",
            [
                // Central's own hybrid logical clock, persisted like an agent's: it observes every
                // stamp central merges, and stamps household edits after all of them, so central
                // never issues a stamp twice (as deriving it from one task's newest stamp could).
                """
                CREATE TABLE central_clock (
                    id       integer PRIMARY KEY CHECK (id = 1),
                    physical bigint NOT NULL,
                    counter  integer NOT NULL
                )
                """,
                "INSERT INTO central_clock (id, physical, counter) VALUES (1, 0, 0)",
                // The newest stamp each node has pushed of its own: a node restored from its own
                // backup learns it on first contact and moves its clock past it.
                "ALTER TABLE node ADD COLUMN stamp_physical bigint NOT NULL DEFAULT 0",
                "ALTER TABLE node ADD COLUMN stamp_counter integer NOT NULL DEFAULT 0",
            ]
        ),
        (
            "2026-12-02 join tokens",
            [
                // Join tokens let a new node enroll itself (POST /v1/enroll) and receive its own
                // node token; central keeps only their SHA-256, like node tokens.
                """
                CREATE TABLE join_token (
                    id           integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    hash         bytea NOT NULL UNIQUE,
                    created_at   timestamptz NOT NULL DEFAULT now(),
                    expires_at   timestamptz NOT NULL,
                    max_uses     integer,
                    uses         integer NOT NULL DEFAULT 0,
                    node_pattern text,
                    revoked_at   timestamptz,
                    last_used_at timestamptz
                )
                """,
                // A node a join token may enroll again: set by `nodes rotate`, cleared by the
                // enrollment or by the first request with the rotated token.
                "ALTER TABLE node ADD COLUMN enroll_open boolean NOT NULL DEFAULT false",
                "ALTER TABLE node ADD COLUMN enrolled_by integer",
            ]
        ),
        (
            "2026-12-02 sample partitions, rollups",
            [
                // The unpartitioned table becomes `sample_legacy`: serve moves its rows into the
                // partitions in the background, in bounded transactions, then drops it
                // (CentralStore.moveLegacy); reads and ingest consult it until then. The rename
                // and the new table are instant, so central serves on at once.
                "ALTER TABLE sample RENAME TO sample_legacy",
                "ALTER INDEX sample_pkey RENAME TO sample_legacy_pkey",
                // Daily partitions sample_YYYYMMDD (start <= ts < end, UTC), created ahead and on
                // demand by central, dropped whole by retention. The key is unchanged; it holds ts,
                // as a partitioned table's primary key must.
                """
                CREATE TABLE sample (
                    node_id   integer NOT NULL,
                    series_id integer NOT NULL,
                    ts        bigint NOT NULL,
                    value     double precision NOT NULL,
                    clock     smallint NOT NULL,
                    PRIMARY KEY (node_id, series_id, ts)
                ) PARTITION BY RANGE (ts)
                """,
                // Per-minute rollups of the raw days retention dropped (ts: the minute's start),
                // in monthly partitions sample_minute_YYYYMM dropped whole after --rollup-retention.
                """
                CREATE TABLE sample_minute (
                    node_id   integer NOT NULL,
                    series_id integer NOT NULL,
                    ts        bigint NOT NULL,
                    avg       double precision NOT NULL,
                    min       double precision NOT NULL,
                    max       double precision NOT NULL,
                    count     integer NOT NULL,
                    PRIMARY KEY (node_id, series_id, ts)
                ) PARTITION BY RANGE (ts)
                """,
                // Hourly rollups of the same days, kept for good (about 3,000 rows per node and day).
                """
                CREATE TABLE sample_hour (
                    node_id   integer NOT NULL,
                    series_id integer NOT NULL,
                    ts        bigint NOT NULL,
                    avg       double precision NOT NULL,
                    min       double precision NOT NULL,
                    max       double precision NOT NULL,
                    count     integer NOT NULL,
                    PRIMARY KEY (node_id, series_id, ts)
                )
                """,
                // Where the data of each age lives, moved only in the transaction that moves it:
                //   raw_from        raw samples with ts < raw_from are refused as expired;
                //   rolled_through  stepped reads take rollups for ts < rolled_through, raw after;
                //   minute_from     per-minute rollups before it were dropped: hourly ones there;
                //   legacy_next_block  the next page of sample_legacy to move (NULL: none left).
                """
                CREATE TABLE sample_state (
                    id                integer PRIMARY KEY CHECK (id = 1),
                    raw_from          bigint NOT NULL,
                    rolled_through    bigint NOT NULL,
                    minute_from       bigint NOT NULL,
                    legacy_next_block bigint
                )
                """,
                "INSERT INTO sample_state (id, raw_from, rolled_through, minute_from, legacy_next_block) VALUES (1, 0, 0, 0, 0)",
                // One row per raw day retention handled (day: days since 1970-01-01, UTC): written in
                // the transaction of its rollup, then of its drop, so a run resumes where it stopped.
                """
                CREATE TABLE sample_day (
                    day          bigint PRIMARY KEY,
                    rolled_up_at timestamptz,
                    raw_rows     bigint,
                    minute_rows  bigint,
                    dropped_at   timestamptz
                )
                """,
            ]
        ),
        (
            "2026-12-03 central proofs",
            [
                // The key central signs its own changes with (HMAC-SHA256 over a change's canonical
                // JSON). Agents keep those proofs; after a restore, a snapshot may carry central's
                // later household edits back only with a proof that verifies. 32 bytes from two
                // version-4 UUIDs (PostgreSQL's strong random source, no extension needed).
                """
                CREATE TABLE central_secret (
                    id  integer PRIMARY KEY CHECK (id = 1),
                    key bytea NOT NULL
                )
                """,
                "INSERT INTO central_secret (id, key) VALUES (1, decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'))",
            ]
        ),
        (
            "2026-12-03 node addresses",
            [
                // Where phones reach each node's page (`--advertise-url`), so that agents learn
                // the household's other Pis from central (`POST /v1/sync/peers`).
                "ALTER TABLE node ADD COLUMN api_url text CHECK (api_url IS NULL OR length(api_url) <= 300)"
            ]
        ),
    ]
}
