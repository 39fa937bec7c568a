import Sync

/// The OpenAPI 3.0.3 document of edge-central's API, served at `GET /openapi.json`.
/// The human-readable companion is `docs/central-api.md`; keep the two in step.
enum CentralOpenAPIDocument {
    static let json: String = #"""
{
  "openapi": "3.0.3",
  "info": {
    "title": "edge-central API",
    "version": "1",
    "description": "The HTTP API of `edge-central serve`: the household's central, PostgreSQL-backed replica that every `edge-agent` node syncs its tasks and metric samples with. Several `serve` processes on one database behave as one: all state lives in PostgreSQL. The human-readable companion is `docs/central-api.md`; `docs/sync-design.md` section 2 explains the protocol.\n\n**Authentication.** Every `/v1/*` request needs `Authorization: Bearer <node token>`. A token is issued by `edge-central nodes add NAME` (printed once; central stores only its SHA-256) and replaced by `edge-central nodes rotate NAME`. A missing, unknown or revoked token (`nodes revoke`, or the old token after `nodes rotate`) gets 401 `unauthorized` with `WWW-Authenticate: Bearer realm=\"edge-central\"`. Tokens are looked up on every request, so a revocation takes effect at once on every replica. Any valid token may use the household endpoints (`/v1/tasks`, `/v1/nodes`, `/v1/series`); the sync endpoints also require the body's `node` to be the token's node (403 `wrong_node`). `/health`, `/readiness`, `/metrics` and `/openapi.json` never need a token.\n\n**JSON** in and out. Times are RFC 3339 UTC strings (`2026-11-22T04:25:54Z`, milliseconds only when non-zero; request times may carry any offset), except in sample batches, where `ts` is integer milliseconds since the Unix epoch. Request bodies must be sent with `Content-Type: application/json`.\n\n**Compression and size limits.** Bodies of `POST /v1/sync/*` may be sent with `Content-Encoding: gzip` (agents always do); any other encoding than `gzip` or `identity` is 415 `unsupported_encoding`. Household bodies (`/v1/tasks`) are never inflated. Limits (bytes received / bytes once inflated / items): `POST /v1/sync/changes` 2 MiB / 8 MiB / 1,000 changes; `POST /v1/sync/samples` 4 MiB / 32 MiB / 50,000 samples, 5,000 readings and 4,096 series; `POST /v1/sync/resync` 64 KiB / 64 KiB; household bodies 64 KiB. Over a limit is 413 `body_too_large` (a gzip bomb costs at most the inflated limit); send smaller batches.\n\n**One transaction.** A sync request is checked completely before it is applied, and applied in one transaction; a pushed change that breaks a rule is answered `rejected` (or `stamp_in_future`) on its own while the rest is merged, so one bad record never holds up a queue. Any 4xx or 5xx leaves tasks, the change feed and samples as they were (new series names may stay registered), and 200 is sent only after COMMIT. **Idempotency:** changes are recognised by `change_id` (a replayed change is `already_known` and changes nothing); samples by (node, series, `ts`) (a replayed batch inserts nothing and is acknowledged again, counted as `duplicates`). **Retention:** raw samples are kept for `--sample-retention` (14 days), per-minute rollups for `--rollup-retention` (400 days), hourly rollups for good; a sample older than the raw retention is acknowledged as `expired` and not stored. A request that failed with 503 or a lost connection may be replayed as it is.\n\n**Errors** are `{\"error\": {\"code\": \"...\", \"message\": \"...\"}}`:\n\n| status | code | when |\n|---|---|---|\n| 400 | `malformed_json` | a household body is not JSON or not an object; a sync body is not valid gzip |\n| 400 | `malformed_batch` | a sync body is not JSON or does not match the sync format, or a sample batch breaks its own structure |\n| 400 | `bad_parameter` | a query parameter cannot be read, or a series query would return more than 100,000 points or buckets, or more than 11,000 steps |\n| 401 | `unauthorized` | token missing, unknown or revoked |\n| 429 | `too_many_failures` | this source address failed authentication too often (20 at once, then one every 3 s), with `Retry-After` |\n| 403 | `wrong_node` | the body names another node than the token's |\n| 403 | `forged_change` | a log-mode change is stamped by another node (or by `central`): a token writes only its own node's changes; the message names the change and nothing is written |\n| 403 | `resync_not_open` | a snapshot push outside the node's resync window |\n| 404 | `not_found` | unknown task ID, or unknown path |\n| 405 | `method_not_allowed` | a method the path does not serve (with `Allow`) |\n| 409 | `central_rewound` | a sample batch's `after` is newer than what central holds for the node (central restored from a backup): resync |\n| 410 | `cursor_unknown` | a pull cursor that is malformed or not from this central's feed: resync |\n| 413 | `body_too_large` | over a size or item limit |\n| 415 | `unsupported_media_type`, `unsupported_encoding` | not `Content-Type: application/json`; `Content-Encoding` other than gzip |\n| 422 | `invalid_field` | a household task field breaks the rules or is unknown |\n| 422 | `sample_in_future` | a sample batch holds a reading more than 1 day ahead of central's clock; the message names it and nothing is stored |\n| 503 | `database_unavailable` | PostgreSQL is unreachable or did not answer within 5 s (`Retry-After: 5`): nothing was applied, or a commit could not be confirmed; replaying is safe |\n| 503 | `not_ready` | `/readiness` only: schema not migrated yet, or PostgreSQL unreachable |\n\nBad input never gives a 500 (`internal`); one is a bug."
  },
  "tags": [
    {"name": "tasks", "description": "Household tasks, the same routes and shapes as the agent's API."},
    {"name": "nodes", "description": "Registered nodes and their stored samples."},
    {"name": "sync", "description": "The sync protocol agents use (docs/sync-design.md section 2)."},
    {"name": "probes", "description": "Liveness, readiness and Prometheus metrics."},
    {"name": "pages", "description": "This document."}
  ],
  "paths": {
    "/health": {
      "get": {
        "tags": ["probes"],
        "operationId": "health",
        "summary": "Liveness",
        "description": "200 while the process serves requests; does not touch PostgreSQL. Never needs a token.",
        "responses": {
          "200": {
            "description": "Alive.",
            "content": {
              "application/json": {"schema": {"$ref": "#/components/schemas/Health"}, "example": {"status": "ok"}}
            }
          }
        }
      }
    },
    "/readiness": {
      "get": {
        "tags": ["probes"],
        "operationId": "readiness",
        "summary": "Readiness",
        "description": "200 once the schema is migrated and while the last PostgreSQL check (every second, 1 s deadline) succeeded; 503 `not_ready` otherwise, within about 2 s of PostgreSQL going away. Never needs a token.",
        "responses": {
          "200": {
            "description": "Ready.",
            "content": {
              "application/json": {"schema": {"$ref": "#/components/schemas/Readiness"}, "example": {"status": "ready"}}
            }
          },
          "503": {"$ref": "#/components/responses/NotReady"}
        }
      }
    },
    "/metrics": {
      "get": {
        "tags": ["probes"],
        "operationId": "metrics",
        "summary": "Prometheus metrics",
        "description": "Prometheus text exposition format 0.0.4: `edge_central_build_info`, `edge_central_database_up`, `edge_central_changes_received_total{outcome}` and `edge_central_samples_received_total{outcome}`, counted per process. Never needs a token.",
        "responses": {
          "200": {
            "description": "The metrics.",
            "content": {
              "text/plain; version=0.0.4; charset=utf-8": {
                "schema": {"type": "string"},
                "example": "# HELP edge_central_database_up Whether the last check reached PostgreSQL (1) or not (0).\n# TYPE edge_central_database_up gauge\nedge_central_database_up 1\n"
              }
            }
          }
        }
      }
    },
    "/openapi.json": {
      "get": {
        "tags": ["pages"],
        "operationId": "openapi",
        "summary": "This OpenAPI document",
        "responses": {
          "200": {
            "description": "OpenAPI 3.0.3 document.",
            "content": {"application/json": {"schema": {"type": "object"}}}
          }
        }
      }
    },
    "/v1/tasks": {
      "get": {
        "tags": ["tasks"],
        "operationId": "listTasks",
        "summary": "List tasks",
        "security": [{"bearerAuth": []}],
        "description": "The household's tasks newest first (by `created_at`), as central holds them after merging every node's changes. The `ETag` changes whenever the list does; send it back in `If-None-Match` to get 304 while nothing has.",
        "parameters": [
          {
            "name": "state",
            "in": "query",
            "required": false,
            "description": "`open` (not done), `done`, or `all`.",
            "schema": {"type": "string", "enum": ["open", "done", "all"], "default": "all"}
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "Page size, 1 to 1000: answer at most this many tasks, with `next_cursor` when more follow. Without `limit` or `cursor` the whole list is answered (up to 10,000 tasks; past that the newest 10,000 and `next_cursor`). With `cursor` alone: 100.",
            "schema": {"type": "integer", "minimum": 1, "maximum": 1000}
          },
          {
            "name": "cursor",
            "in": "query",
            "required": false,
            "description": "The `next_cursor` of the previous page (opaque). A page is found by position, so tasks added or deleted meanwhile do not shift it. Paged answers carry no `ETag`.",
            "schema": {"type": "string", "pattern": "^c[0-9a-f]{16}_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"}
          },
          {
            "name": "If-None-Match",
            "in": "header",
            "required": false,
            "description": "An `ETag` from an earlier answer.",
            "schema": {"type": "string"}
          }
        ],
        "responses": {
          "200": {
            "description": "The tasks.",
            "headers": {"ETag": {"description": "Version of the task list, e.g. `\"all-9f3c2a1b7d4e5f60\"`.", "schema": {"type": "string"}}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TaskList"}}}
          },
          "304": {
            "description": "Not modified: `If-None-Match` matched the current `ETag`.",
            "headers": {"ETag": {"description": "Version of the task list.", "schema": {"type": "string"}}}
          },
          "400": {"$ref": "#/components/responses/BadParameter"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/TooManyFailures"},
          "503": {"$ref": "#/components/responses/DatabaseUnavailable"}
        }
      },
      "post": {
        "tags": ["tasks"],
        "operationId": "createTask",
        "summary": "Add a task",
        "security": [{"bearerAuth": []}],
        "description": "Creates a task on central. Central stamps it with its own replica name `central` (also its `origin`), never with the token's node; agents receive it with their next pull.",
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TaskCreate"}}}
        },
        "responses": {
          "200": {
            "description": "A replay: the request named an `id` that an earlier request with the same content created. Nothing was written; the body is the task as it is now (edits since included).",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Task"}}}
          },
          "201": {
            "description": "Created; the body is the new task.",
            "headers": {
              "Location": {
                "required": true,
                "description": "Path of the new task: `/v1/tasks/<id>`.",
                "schema": {"type": "string"},
                "example": "/v1/tasks/0b6f3a52-9d1e-4c7a-8f2b-3e4d5c6b7a81"
              }
            },
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Task"}}}
          },
          "400": {"$ref": "#/components/responses/MalformedJSON"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "409": {
            "description": "`task_exists`: the `id` belongs to a task created with other content, or to a deleted task. Nothing was written.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
          },
          "429": {"$ref": "#/components/responses/TooManyFailures"},
          "413": {"$ref": "#/components/responses/BodyTooLarge"},
          "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
          "422": {"$ref": "#/components/responses/InvalidField"},
          "503": {"$ref": "#/components/responses/DatabaseUnavailable"}
        }
      }
    },
    "/v1/tasks/{id}": {
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "description": "The task's full UUID (anything else is 404).",
          "schema": {"type": "string", "format": "uuid"},
          "example": "0b6f3a52-9d1e-4c7a-8f2b-3e4d5c6b7a81"
        }
      ],
      "get": {
        "tags": ["tasks"],
        "operationId": "getTask",
        "summary": "Get a task",
        "security": [{"bearerAuth": []}],
        "responses": {
          "200": {
            "description": "The task.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Task"}}}
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/TooManyFailures"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "503": {"$ref": "#/components/responses/DatabaseUnavailable"}
        }
      },
      "patch": {
        "tags": ["tasks"],
        "operationId": "updateTask",
        "summary": "Change a task",
        "security": [{"bearerAuth": []}],
        "description": "Changes any of `title`, `notes`, `due_at`, `assignee`, `done`, stamped by `central`. Fields set to the value they already have are left out of the change; a PATCH that changes nothing answers the task as it is.",
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TaskPatch"}}}
        },
        "responses": {
          "200": {
            "description": "The task after the change.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Task"}}}
          },
          "400": {"$ref": "#/components/responses/MalformedJSON"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/TooManyFailures"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "413": {"$ref": "#/components/responses/BodyTooLarge"},
          "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
          "422": {"$ref": "#/components/responses/InvalidField"},
          "503": {"$ref": "#/components/responses/DatabaseUnavailable"}
        }
      },
      "delete": {
        "tags": ["tasks"],
        "operationId": "deleteTask",
        "summary": "Delete a task",
        "security": [{"bearerAuth": []}],
        "description": "Deletes the task everywhere (a tombstone stamped by `central` that every node pulls). Afterwards the ID answers 404.",
        "parameters": [
          {
            "name": "series",
            "in": "query",
            "required": false,
            "schema": {"type": "string", "enum": ["true", "false"]},
            "description": "`true`: delete the whole recurring chore, every live occurrence of its series (done ones too), not only this one."
          }
        ],
        "responses": {
          "204": {"description": "Deleted; no body."},
          "400": {"$ref": "#/components/responses/BadParameter"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/TooManyFailures"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "503": {"$ref": "#/components/responses/DatabaseUnavailable"}
        }
      }
    },
    "/v1/nodes": {
      "get": {
        "tags": ["nodes"],
        "operationId": "listNodes",
        "summary": "Registered nodes",
        "security": [{"bearerAuth": []}],
        "description": "Every registered node (revoked ones included), by name: when it was last seen (any authenticated request, recorded at most once a minute), when it last synced (a change push or sample batch), and how many samples central stores for it. What `edge-central nodes list --json` prints.",
        "responses": {
          "200": {
            "description": "The nodes.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NodeList"}}}
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/TooManyFailures"},
          "503": {"$ref": "#/components/responses/DatabaseUnavailable"}
        }
      }
    },
    "/v1/series": {
      "get": {
        "tags": ["nodes"],
        "operationId": "getSeries",
        "summary": "Samples of one metric of one node, raw or by step",
        "security": [{"bearerAuth": []}],
        "description": "Node `node`'s metric `name` with `since <= t <= until`, one entry per series (label set), as the agent's `GET /v1/series` answers it.\n\n**Raw** (no `step`): the raw samples central holds (kept for `--sample-retention`, 14 days), in time order, each with the clock flag it was sent with. Defaults: `since` the Unix epoch, no `until`.\n\n**Stepped** (`step`): buckets starting at multiples of `step` with `avg`, `min`, `max` and `count`, from raw samples where central still holds them, then per-minute rollups (`--rollup-retention`, 400 days), then hourly ones; each sample counts once whichever storage holds it. A rollup starting before `since` counts in `since`'s bucket. Defaults: `until` now, `since` an hour before it.\n\n**Label matchers:** every query parameter other than `node`, `name`, `since`, `until` and `step` is a label matcher: `cpu=0&mode=idle` keeps only series whose label `cpu` is `0` and `mode` is `idle`.\n\nAn unknown node or metric is an empty `series` list. 400 `bad_parameter` for a missing or empty `node` or `name`, an unreadable time or step, `since` after `until`, more than 11,000 steps, or more than 100,000 points or buckets in the answer (narrow the range or widen the step).",
        "parameters": [
          {
            "name": "node",
            "in": "query",
            "required": true,
            "description": "Node name, as registered with `nodes add`.",
            "schema": {"type": "string", "minLength": 1},
            "example": "rpi-worker-1"
          },
          {
            "name": "name",
            "in": "query",
            "required": true,
            "description": "Metric name, e.g. `node_load1`.",
            "schema": {"type": "string", "minLength": 1},
            "example": "node_load1"
          },
          {
            "name": "since",
            "in": "query",
            "required": false,
            "description": "Start, inclusive (RFC 3339). Default: the Unix epoch (raw), an hour before `until` (stepped).",
            "schema": {"type": "string", "format": "date-time"}
          },
          {
            "name": "until",
            "in": "query",
            "required": false,
            "description": "End, inclusive (RFC 3339). Default: no end (raw), now (stepped). Must not be before `since`.",
            "schema": {"type": "string", "format": "date-time"}
          },
          {
            "name": "step",
            "in": "query",
            "required": false,
            "description": "Bucket width: a whole number and a unit (`ms`, `s`, `m`, `h`, `d`, `w`), e.g. `60s`, `5m`, `1h`; at least 1s and at most 11,000 steps between `since` and `until`. Absent: raw samples.",
            "schema": {"type": "string", "pattern": "^([1-9][0-9]{0,8}(s|m|h|d|w)|[1-9][0-9]{3,14}ms)$"},
            "example": "5m"
          }
        ],
        "responses": {
          "200": {
            "description": "The samples, raw or in buckets.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CentralSeries"}}}
          },
          "400": {"$ref": "#/components/responses/BadParameter"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/TooManyFailures"},
          "503": {"$ref": "#/components/responses/DatabaseUnavailable"}
        }
      }
    },
    "/v1/sync/changes": {
      "get": {
        "tags": ["sync"],
        "operationId": "pullChanges",
        "summary": "Pull task changes",
        "security": [{"bearerAuth": []}],
        "description": "Central's change feed after `cursor`, in feed order: every change that altered central's tasks, pushed by any node (the caller's own included: they merge as no-ops) or made on central. Apply them with the merge rules, then store the returned `cursor`; ask again at once while `more` is true.\n\n410 `cursor_unknown` means the cursor is malformed or not from this central's feed (central was restored from a backup): do a full resync (`POST /v1/sync/resync`, snapshot push, pull from the start).",
        "parameters": [
          {
            "name": "cursor",
            "in": "query",
            "required": false,
            "description": "The `cursor` of the previous page; absent means the start of the feed (`0-0000000000000000`).",
            "schema": {"$ref": "#/components/schemas/FeedCursor"}
          },
          {
            "name": "limit",
            "in": "query",
            "required": false,
            "description": "At most this many changes.",
            "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 500}
          },
          {
            "name": "check",
            "in": "query",
            "required": false,
            "description": "The highest `position` central gave this node's applied changes. Central answers 410 `cursor_unknown` (writing nothing) when its feed no longer holds that position: it was restored from a backup taken before, and the node must resync.",
            "schema": {"$ref": "#/components/schemas/FeedCursor"}
          }
        ],
        "responses": {
          "200": {
            "description": "A page of the feed.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ChangePage"}}}
          },
          "400": {"$ref": "#/components/responses/BadParameter"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/TooManyFailures"},
          "410": {"$ref": "#/components/responses/CursorUnknown"},
          "503": {"$ref": "#/components/responses/DatabaseUnavailable"}
        }
      },
      "post": {
        "tags": ["sync"],
        "operationId": "pushChanges",
        "summary": "Push task changes",
        "security": [{"bearerAuth": []}],
        "description": "Merges a batch of the node's task changes in one transaction and answers one result per change in request order once they are committed. Idempotent by `change_id`: a change seen before is `already_known` and is merged no further; so is a new change that alters nothing (every field it sets already holds a newer stamp). Changes that altered anything are appended to the feed.\n\nRules, checked before anything is written: `node` must be the token's node (403 `wrong_node`); in `log` mode every `stamp` must be by that node (403 `forged_change`, naming the change; nothing is written); `snapshot` mode is accepted only while the node's resync window is open (403 `resync_not_open`), and there a change stamped by another node (or by `central`) is taken only if central already holds it or `proofs` carries central's proof of it from a pull (else it is `refused`). A change stamped more than 10 minutes ahead of central's clock is answered `stamp_in_future`, alone (the node stamps it again once its clock is sane). A change that sets no field, names an invalid node, or is not already normalised by the task rules (a trimmed, non-empty title of at most 200 characters without control characters, notes of at most 4000 without control characters other than tab, line feed and carriage return, a trimmed assignee of at most 100 or null, a due time in the years 0001-9999) is `rejected` with its `reason`, alone: the rest of the batch is merged. At most 1,000 changes, 2 MiB sent or 8 MiB inflated (413). The body may be gzip-compressed (`Content-Encoding: gzip`).",
        "parameters": [
          {
            "name": "check",
            "in": "query",
            "required": false,
            "description": "The highest `position` central gave this node's applied changes. Central answers 410 `cursor_unknown` (writing nothing) when its feed no longer holds that position: it was restored from a backup taken before, and the node must resync.",
            "schema": {"$ref": "#/components/schemas/FeedCursor"}
          }
        ],
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ChangePush"}}}
        },
        "responses": {
          "200": {
            "description": "Committed; one result per change, in request order.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ChangePushResponse"}}}
          },
          "400": {"$ref": "#/components/responses/SyncBadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/TooManyFailures"},
          "403": {"$ref": "#/components/responses/PushForbidden"},
          "413": {"$ref": "#/components/responses/SyncBodyTooLarge"},
          "415": {"$ref": "#/components/responses/SyncUnsupportedMediaType"},
          "410": {"$ref": "#/components/responses/CursorUnknown"},
          "503": {"$ref": "#/components/responses/DatabaseUnavailable"}
        }
      }
    },
    "/v1/sync/samples": {
      "post": {
        "tags": ["sync"],
        "operationId": "pushSamples",
        "summary": "Push a batch of samples",
        "security": [{"bearerAuth": []}],
        "description": "Stores a run of the node's readings in one transaction and answers after COMMIT: every sample with `after < ts <= stored_through` is then durably stored. A sample is `(node, series[layouts[reading.layout][i]], reading.ts, reading.values[i])`, keyed by (node, series, ts): a replayed batch inserts nothing, is acknowledged again and counted as `duplicates`.\n\nStructure (400 `malformed_batch` otherwise): series listed once each; layouts refer to series by index, each at most once; every reading refers to a layout by index and has exactly one value per series of its layout; readings are in strictly increasing `ts` order, all after `after`; values are finite numbers; no readings without series. At most 50,000 samples, 5,000 readings and 4,096 series, 4 MiB sent or 32 MiB inflated (413). `node` must be the token's node (403 `wrong_node`). If `after` is newer than the newest sample central holds for the node, central has lost samples it acknowledged (restored from a backup): 409 `central_rewound`, and the agent resyncs. A reading more than 1 day ahead of central's clock is 422 `sample_in_future` (the message names it; nothing is stored). Samples older than central's raw retention (their day was rolled up and dropped, or is older than `--sample-retention`) are acknowledged and counted as `expired`, not stored: the agent marks them delivered like the rest. The body may be gzip-compressed (`Content-Encoding: gzip`).",
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SampleBatch"}}}
        },
        "responses": {
          "200": {
            "description": "Committed.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SampleAck"}}}
          },
          "400": {"$ref": "#/components/responses/SyncBadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/TooManyFailures"},
          "403": {"$ref": "#/components/responses/WrongNode"},
          "409": {"$ref": "#/components/responses/CentralRewound"},
          "413": {"$ref": "#/components/responses/SyncBodyTooLarge"},
          "415": {"$ref": "#/components/responses/SyncUnsupportedMediaType"},
          "422": {"$ref": "#/components/responses/SampleInFuture"},
          "503": {"$ref": "#/components/responses/DatabaseUnavailable"}
        }
      }
    },
    "/v1/enroll": {
      "post": {
        "tags": ["nodes"],
        "operationId": "enrollNode",
        "summary": "Enroll a node with a join token",
        "security": [{"bearerAuth": []}],
        "description": "A node that holds a join token (from `edge-central join-tokens create`; the bearer here is the join token, not a node token) and no node token yet asks for its own. Central answers the node's new token once and keeps its hash. A join token enrolls only a name that is not enrolled yet, or one an operator reset with `edge-central nodes rotate`; it can never take over an enrolled node (409 `node_enrolled`), and it is no node token (it reads and pushes nothing). Failed attempts count against the source address (429). The body is `{\"node\": NAME}`, at most 64 KiB, never compressed.",
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EnrollRequest"}}}
        },
        "responses": {
          "201": {
            "description": "Enrolled: the node's own token, shown only now.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/EnrollResponse"}}}
          },
          "400": {"$ref": "#/components/responses/MalformedJSON"},
          "401": {
            "description": "`invalid_join_token`: the join token is missing, unknown, expired, revoked or used up (the message says which).",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
          },
          "403": {
            "description": "`name_not_allowed`: the join token's `--nodes` pattern does not allow this name.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
          },
          "409": {
            "description": "`node_enrolled`: the name is enrolled already and not reset with `nodes rotate` (also a replayed enrollment).",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
          },
          "413": {"$ref": "#/components/responses/BodyTooLarge"},
          "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
          "422": {
            "description": "`invalid_node`: the name breaks the node-name rules (letters, digits, `.`, `_`, `-`; at most 253; not `central`); `invalid_field`: `node` missing or not a string, or an unknown field.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
          },
          "429": {"$ref": "#/components/responses/TooManyFailures"},
          "503": {"$ref": "#/components/responses/DatabaseUnavailable"}
        }
      }
    },
    "/v1/sync/peers": {
      "post": {
        "tags": ["sync"],
        "operationId": "exchangePeers",
        "summary": "This node's address; the other nodes' addresses",
        "security": [{"bearerAuth": []}],
        "description": "Records where phones reach this node's page (`--advertise-url`; null withdraws it) and answers the other nodes' addresses (revoked nodes left out), ordered by node name: agents list them at their `GET /v1/peers` and answer CORS requests from their pages. Agents call it at every sync cycle while `--advertise-url` is set. `node` must be the token's node (403 `wrong_node`); `url` must be an http(s) base URL (422 `invalid_field`).",
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {
            "type": "object",
            "required": ["node"],
            "properties": {
              "node": {"allOf": [{"$ref": "#/components/schemas/NodeName"}], "description": "Must be the token's node."},
              "url": {"type": "string", "nullable": true, "maxLength": 300, "pattern": "\#(PeerURL.pattern.replacing("\\", with: "\\\\"))", "description": "`http(s)://host[:port]`; stored normalised (lowercase, no default port)."}
            },
            "example": {"node": "rpi-worker-1", "url": "http://192.168.1.11:8080"}
          }}}
        },
        "responses": {
          "200": {
            "description": "The other nodes' addresses.",
            "content": {"application/json": {"schema": {
              "type": "object",
              "required": ["peers"],
              "properties": {"peers": {"type": "array", "items": {"type": "string"}}}
            }, "example": {"peers": ["http://192.168.1.12:8080"]}}}
          },
          "400": {"$ref": "#/components/responses/SyncBadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/TooManyFailures"},
          "403": {"$ref": "#/components/responses/WrongNode"},
          "413": {"$ref": "#/components/responses/SyncBodyTooLarge"},
          "415": {"$ref": "#/components/responses/SyncUnsupportedMediaType"},
          "422": {"$ref": "#/components/responses/InvalidField"},
          "503": {"$ref": "#/components/responses/DatabaseUnavailable"}
        }
      }
    },
    "/v1/sync/resync": {
      "post": {
        "tags": ["sync"],
        "operationId": "beginResync",
        "summary": "Start a full resync",
        "security": [{"bearerAuth": []}],
        "description": "Opens (or extends) the node's resync window to 24 hours from now, during which `snapshot` pushes of its whole task state are accepted, and answers central's positions for the node. Safe to repeat. `node` must be the token's node (403 `wrong_node`). At most 64 KiB; may be gzip-compressed.",
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ResyncRequest"}}}
        },
        "responses": {
          "200": {
            "description": "The window is open.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ResyncResponse"}}}
          },
          "400": {"$ref": "#/components/responses/SyncBadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "429": {"$ref": "#/components/responses/TooManyFailures"},
          "403": {"$ref": "#/components/responses/WrongNode"},
          "413": {"$ref": "#/components/responses/SyncBodyTooLarge"},
          "415": {"$ref": "#/components/responses/SyncUnsupportedMediaType"},
          "503": {"$ref": "#/components/responses/DatabaseUnavailable"}
        }
      }
    }
  },
  "components": {
    "schemas": {
      "EnrollRequest": {
        "type": "object",
        "required": ["node"],
        "additionalProperties": false,
        "properties": {
          "node": {"type": "string", "minLength": 1, "maxLength": 253, "pattern": "^[A-Za-z0-9._-]+$", "description": "The node's name (`--node-name`)."}
        }
      },
      "EnrollResponse": {
        "type": "object",
        "required": ["node", "token"],
        "properties": {
          "node": {"type": "string"},
          "token": {"type": "string", "description": "The node's own token (`edge1_` and 43 base64url characters): keep it, mode 0600; central keeps only its hash."}
        }
      },
      "TaskTitle": {
        "type": "string",
        "minLength": 1,
        "maxLength": 200,
        "pattern": "^[^\\u0000-\\u001f\\u007f]*[^\\u0000-\\u0020\\u007f\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000][^\\u0000-\\u001f\\u007f]*$",
        "description": "Trimmed of surrounding whitespace before it is checked and stored; 1-200 characters (Unicode scalars) remain; no control characters (U+0000-U+001F, U+007F)."
      },
      "Error": {
        "type": "object",
        "required": ["error"],
        "description": "Every error response of this API.",
        "properties": {
          "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
              "code": {
                "type": "string",
                "description": "Stable, machine-readable code.",
                "enum": [
                  "malformed_json",
                  "malformed_batch",
                  "bad_parameter",
                  "unauthorized",
                  "wrong_node",
                  "forged_change",
                  "resync_not_open",
                  "not_found",
                  "method_not_allowed",
                  "central_rewound",
                  "cursor_unknown",
                  "body_too_large",
                  "unsupported_media_type",
                  "unsupported_encoding",
                  "invalid_field",
                  "task_exists",
                  "invalid_change",
                  "database_unavailable",
                  "not_ready",
                  "invalid_join_token",
                  "name_not_allowed",
                  "node_enrolled",
                  "invalid_node",
                  "too_many_failures",
                  "internal"
                ]
              },
              "message": {
                "type": "string",
                "description": "One sentence for people, naming the field or problem."
              }
            }
          }
        },
        "example": {
          "error": {"code": "wrong_node", "message": "this token belongs to node rpi-worker-1, not rpi-worker-2"}
        }
      },
      "Health": {
        "type": "object",
        "required": ["status"],
        "properties": {
          "status": {"type": "string", "enum": ["ok"]}
        }
      },
      "Readiness": {
        "type": "object",
        "required": ["status"],
        "properties": {
          "status": {"type": "string", "enum": ["ready"]}
        }
      },
      "Task": {
        "type": "object",
        "description": "A household task (docs/agent-api.md, \"Tasks\"), the same object as on every agent. Every key is always present. `title` is empty only for a task central knows from a change that did not set it (an edit that arrived before the task's creation).",
        "required": [
          "id",
          "title",
          "notes",
          "due_at",
          "assignee",
          "done",
          "completed_at",
          "created_at",
          "updated_at",
          "origin",
          "repeat",
          "series"
        ],
        "properties": {
          "id": {
            "type": "string",
            "format": "uuid",
            "description": "Lowercase UUID, made by the replica that created the task."
          },
          "title": {"type": "string", "maxLength": 200},
          "notes": {"type": "string", "maxLength": 4000, "description": "`\"\"` when there are none."},
          "due_at": {"type": "string", "format": "date-time", "nullable": true},
          "assignee": {"type": "string", "maxLength": 100, "nullable": true},
          "done": {"type": "boolean"},
          "completed_at": {
            "type": "string",
            "format": "date-time",
            "nullable": true,
            "description": "When the task was completed; null while it is open."
          },
          "created_at": {"type": "string", "format": "date-time"},
          "updated_at": {"type": "string", "format": "date-time"},
          "origin": {"type": "string", "description": "Name of the node that created the task (`central` for tasks created here)."},
          "repeat": {
            "type": "string",
            "nullable": true,
            "pattern": "\#(RepeatRule.pattern)",
            "description": "The repeat rule of a recurring chore, in its canonical form (docs/agent-api.md, \"Recurring chores\"); null for a task that does not repeat. Completing the task creates the next occurrence."
          },
          "series": {
            "type": "string",
            "format": "uuid",
            "nullable": true,
            "description": "For an occurrence a completion created: the ID of the chore's first task. Null for a task a person created."
          }
        },
        "example": {
          "id": "0b6f3a52-9d1e-4c7a-8f2b-3e4d5c6b7a81",
          "title": "Buy milk",
          "notes": "2 litres, oat",
          "due_at": "2026-11-23T18:00:00Z",
          "assignee": "sam",
          "done": false,
          "completed_at": null,
          "created_at": "2026-11-22T04:25:54Z",
          "updated_at": "2026-11-22T04:25:54Z",
          "origin": "rpi-worker-1",
          "repeat": null,
          "series": null
        }
      },
      "TaskList": {
        "type": "object",
        "required": ["tasks"],
        "properties": {
          "tasks": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/Task"},
            "description": "Newest first."
          },
          "next_cursor": {
            "type": "string",
            "description": "Present when more tasks follow this page: pass it as `cursor` for the next one."
          }
        }
      },
      "TaskCreate": {
        "type": "object",
        "required": ["title"],
        "additionalProperties": false,
        "description": "A new task. Unknown keys are rejected with 422 `invalid_field`.",
        "properties": {
          "id": {
            "type": "string",
            "format": "uuid",
            "description": "Optional: the task's ID, chosen by the client (a UUID) so that a retried request never makes a second task. Sending the same request again is answered 200 with the task as it is now; the same ID with other content (or the ID of a deleted task) is 409 `task_exists`. Without it the server chooses the ID."
          },
          "title": {"$ref": "#/components/schemas/TaskTitle"},
          "notes": {"type": "string", "maxLength": 4000, "pattern": "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$", "description": "Defaults to `\"\"`. No control characters but tab, line feed and carriage return."},
          "due_at": {
            "type": "string",
            "format": "date-time",
            "nullable": true,
            "description": "RFC 3339 with any offset; stored and returned in UTC. Defaults to null."
          },
          "assignee": {
            "type": "string",
            "maxLength": 100,
            "pattern": "^[^\\u0000-\\u001f\\u007f]*$",
            "nullable": true,
            "description": "Trimmed; empty means nobody (null). Defaults to null."
          },
          "repeat": {
            "type": "string",
            "nullable": true,
            "pattern": "\#(RepeatRule.pattern)",
            "description": "Optional: makes the task a recurring chore (every Nd, every Nw, daily, weekly, weekly:mon,thu, monthly:25 where 31 means the last day, yearly:12-24, every Nd after done); lowercase, as the pattern states. Completing it creates the next occurrence, due at the next matching local date in the household's time zone. A calendar rule (weekly:, monthly:, yearly:) without due_at starts on its first matching day. A rule that does not parse or never fires is 422 naming `repeat`."
          }
        },
        "example": {
          "title": "Buy milk",
          "notes": "2 litres, oat",
          "due_at": "2026-11-23T18:00:00Z",
          "assignee": "sam"
        }
      },
      "TaskPatch": {
        "type": "object",
        "additionalProperties": false,
        "description": "The fields to change; keys left out are not touched, and `{}` changes nothing. `due_at`, `assignee` and `repeat` may be set to null. Setting `done` to true stamps `completed_at`; false clears it. Completing a recurring chore creates its next occurrence (an ID derived from this one, so replicas that complete it apart create one task); reopening it withdraws that occurrence unless somebody changed it since. Unknown keys are rejected with 422 `invalid_field`.",
        "properties": {
          "title": {"$ref": "#/components/schemas/TaskTitle"},
          "notes": {"type": "string", "maxLength": 4000, "pattern": "^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$"},
          "due_at": {"type": "string", "format": "date-time", "nullable": true},
          "assignee": {
            "type": "string",
            "maxLength": 100,
            "pattern": "^[^\\u0000-\\u001f\\u007f]*$",
            "nullable": true,
            "description": "Trimmed; empty means nobody (null)."
          },
          "done": {"type": "boolean"},
          "repeat": {
            "type": "string",
            "nullable": true,
            "pattern": "\#(RepeatRule.pattern)",
            "description": "A new repeat rule, from the next occurrence on (done occurrences keep theirs); null stops repeating."
          }
        },
        "example": {"done": true}
      },
      "NodeInfo": {
        "type": "object",
        "required": ["name", "created_at", "last_seen_at", "last_sync_at", "samples_stored", "revoked"],
        "properties": {
          "name": {"type": "string"},
          "created_at": {"type": "string", "format": "date-time", "description": "When `nodes add` registered it."},
          "last_seen_at": {
            "type": "string",
            "format": "date-time",
            "nullable": true,
            "description": "Last authenticated request (recorded at most once a minute); null if never."
          },
          "last_sync_at": {
            "type": "string",
            "format": "date-time",
            "nullable": true,
            "description": "Last accepted change push or sample batch; null if never."
          },
          "samples_stored": {"type": "integer", "format": "int64", "minimum": 0},
          "revoked": {"type": "boolean", "description": "True after `nodes revoke` (until `nodes rotate`)."}
        }
      },
      "NodeList": {
        "type": "object",
        "required": ["nodes"],
        "properties": {
          "nodes": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/NodeInfo"},
            "description": "By name."
          }
        },
        "example": {
          "nodes": [
            {
              "name": "rpi-worker-1",
              "created_at": "2026-11-20T09:00:00Z",
              "last_seen_at": "2026-11-22T04:25:54Z",
              "last_sync_at": "2026-11-22T04:25:54Z",
              "samples_stored": 1209600,
              "revoked": false
            }
          ]
        }
      },
      "Labels": {
        "type": "object",
        "additionalProperties": {"type": "string"},
        "description": "Label names to values.",
        "example": {"cpu": "0", "mode": "idle"}
      },
      "SampleClock": {
        "type": "string",
        "enum": ["synced", "corrected", "untrusted"],
        "description": "`synced`: the node's wall clock was NTP-synchronised when the sample was taken; `corrected`: it was not, and the reading was moved to its true time (from the boot's CLOCK_BOOTTIME) once the node's clock was synchronised or anchored to central's, true to about a second; `untrusted`: its true time never became known."
      },
      "CentralPoint": {
        "type": "object",
        "required": ["t", "v", "clock"],
        "properties": {
          "t": {"type": "string", "format": "date-time"},
          "v": {"type": "number"},
          "clock": {"$ref": "#/components/schemas/SampleClock"}
        }
      },
      "CentralBucket": {
        "type": "object",
        "required": ["t", "avg", "min", "max", "count"],
        "description": "One bucket of a stepped series: its start and the samples in it.",
        "properties": {
          "t": {"type": "string", "format": "date-time", "description": "The bucket's start, a multiple of the step."},
          "avg": {"type": "number"},
          "min": {"type": "number"},
          "max": {"type": "number"},
          "count": {"type": "integer", "minimum": 1}
        }
      },
      "CentralSeries": {
        "type": "object",
        "required": ["node", "name", "step", "series"],
        "description": "The agent's series form (raw points with their clock flag, or buckets), plus the node.",
        "properties": {
          "node": {"type": "string"},
          "name": {"type": "string"},
          "step": {"type": "string", "nullable": true, "description": "The `step` asked for; null for raw points."},
          "series": {
            "type": "array",
            "description": "One entry per label set, ordered by label set.",
            "items": {
              "type": "object",
              "required": ["labels", "points"],
              "properties": {
                "labels": {"$ref": "#/components/schemas/Labels"},
                "points": {
                  "type": "array",
                  "description": "In time order: raw points without `step`, buckets with it.",
                  "items": {"oneOf": [{"$ref": "#/components/schemas/CentralPoint"}, {"$ref": "#/components/schemas/CentralBucket"}]}
                }
              }
            }
          }
        },
        "example": {
          "node": "rpi-worker-1",
          "name": "node_load1",
          "step": null,
          "series": [{"labels": {}, "points": [{"t": "2026-11-22T04:25:54Z", "v": 0.42, "clock": "synced"}]}]
        }
      },
      "NodeName": {
        "type": "string",
        "pattern": "^[A-Za-z0-9._-]{1,253}$",
        "description": "A node name: 1-253 letters, digits, `.`, `_` and `-`. `central` is central's own replica name."
      },
      "HLCStamp": {
        "type": "string",
        "pattern": "^[0-9a-f]{12}-[0-9a-f]{4}-[A-Za-z0-9._-]{1,253}$",
        "description": "A hybrid logical clock stamp `PPPPPPPPPPPP-CCCC-node`: twelve lowercase hex digits of wall-clock milliseconds since the Unix epoch, four of logical counter, and the node that issued it. Byte order is stamp order; the newest stamp wins each field.",
        "example": "01a20180e450-0000-rpi-worker-1"
      },
      "FeedCursor": {
        "type": "string",
        "pattern": "^[0-9]+-[0-9a-fA-F]{16}$",
        "description": "A position in central's change feed: `<seq>-<tag as 16 hex digits>`. Opaque to agents: store the one central returns.",
        "example": "1234-9f3c2a1b7d4e5f60"
      },
      "ChangeSet": {
        "type": "object",
        "description": "The fields a change assigns (the wire form of a task patch): only the assigned keys are present, at least one of `title`, `notes`, `due_at`, `assignee`, `done`, `deleted`, `repeat`, `series` (null `due_at`, `assignee` and `repeat` assign null; a null `title`, `notes`, `done` or `deleted` is read as absent, and agents never send one). `completed_at` travels with `done`: it is read only when `done` is present, and is null unless `done` is true. Values must already be normalised by the task rules; central rejects, never normalises. Unknown keys are ignored.",
        "properties": {
          "title": {
            "type": "string",
            "minLength": 1,
            "maxLength": 200,
            "pattern": "^[^\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]([\\s\\S]*[^\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000])?$",
            "nullable": true,
            "description": "Trimmed, 1-200 characters."
          },
          "notes": {"type": "string", "maxLength": 4000, "nullable": true},
          "due_at": {"type": "string", "format": "date-time", "nullable": true},
          "assignee": {
            "type": "string",
            "minLength": 1,
            "maxLength": 100,
            "nullable": true,
            "pattern": "^[^\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]([\\s\\S]*[^\\t\\n\\u000b\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000])?$",
            "description": "Trimmed, 1-100 characters; null for nobody."
          },
          "done": {"type": "boolean", "nullable": true},
          "completed_at": {
            "description": "With `done`: when the task was completed (RFC 3339 or null), stamped once on the replica where it happened. Without `done` it is ignored, whatever its value."
          },
          "deleted": {"type": "boolean", "nullable": true, "description": "A tombstone (`true`) or its reversal (`false`)."},
          "repeat": {
            "type": "string",
            "nullable": true,
            "pattern": "\#(RepeatRule.pattern)",
            "description": "A recurring chore's rule in its canonical form (`every 3d`, `every 2w`, `weekly:mon,thu` in Monday-first order, `monthly:25`, `yearly:12-24`, `every 3d after done`), or null for none. Another spelling of a rule is rejected, as an untrimmed title is."
          },
          "series": {
            "type": "string",
            "format": "uuid",
            "description": "Set on the creation of an occurrence a completion made: the chore's first task. A fact of creation like `created_at`: replicas keep the smallest one seen."
          }
        },
        "allOf": [
          {
            "anyOf": [
              {"required": ["title"], "properties": {"title": {"type": "string"}}},
              {"required": ["notes"], "properties": {"notes": {"type": "string"}}},
              {"required": ["due_at"]},
              {"required": ["assignee"]},
              {"required": ["done"], "properties": {"done": {"type": "boolean"}}},
              {"required": ["deleted"], "properties": {"deleted": {"type": "boolean"}}},
              {"required": ["repeat"]},
              {"required": ["series"]}
            ]
          },
          {
            "anyOf": [
              {
                "required": ["done"],
                "properties": {
                  "done": {"type": "boolean"},
                  "completed_at": {"type": "string", "format": "date-time", "nullable": true}
                }
              },
              {"properties": {"done": {"type": "boolean", "nullable": true, "enum": [null]}}}
            ]
          }
        ],
        "example": {"title": "Buy milk"}
      },
      "TaskChange": {
        "type": "object",
        "required": ["change_id", "task_id", "stamp", "created_at", "origin", "set"],
        "description": "One change to one task. Every change carries the task's immutable facts (`created_at`, `origin`), so a replica that receives an edit before the task's creation still builds the same record.",
        "properties": {
          "change_id": {"type": "string", "format": "uuid", "description": "Unique per change; replays are recognised by it."},
          "task_id": {"type": "string", "format": "uuid"},
          "stamp": {"$ref": "#/components/schemas/HLCStamp"},
          "created_at": {"type": "string", "format": "date-time", "description": "When the task was created."},
          "origin": {"$ref": "#/components/schemas/NodeName"},
          "set": {"$ref": "#/components/schemas/ChangeSet"}
        },
        "example": {
          "change_id": "5d1c8a57-3f0e-4b8e-9a51-6f2d7c3b9e10",
          "task_id": "0b6f3a52-9d1e-4c7a-8f2b-3e4d5c6b7a81",
          "stamp": "01a20180e450-0000-rpi-worker-1",
          "created_at": "2026-11-22T04:25:54Z",
          "origin": "rpi-worker-1",
          "set": {
            "title": "Buy milk",
            "notes": "",
            "due_at": null,
            "assignee": null,
            "done": false,
            "completed_at": null,
            "deleted": false
          }
        }
      },
      "ChangePush": {
        "type": "object",
        "required": ["node", "mode", "changes"],
        "description": "A batch of task changes, in the node's change-log order.",
        "properties": {
          "node": {"allOf": [{"$ref": "#/components/schemas/NodeName"}], "description": "The pushing node: must be the token's node."},
          "mode": {
            "type": "string",
            "enum": ["log", "snapshot"],
            "description": "`log`: the node's own change log; every stamp is the node's. `snapshot`: during a resync only, the node's whole task state, one change per distinct field stamp, which may carry other nodes' stamps."
          },
          "changes": {
            "type": "array",
            "description": "At most 1,000 (413 otherwise).",
            "items": {"$ref": "#/components/schemas/TaskChange"}
          },
          "proofs": {
            "type": "object",
            "additionalProperties": {"type": "string"},
            "description": "`snapshot` only: central's proof of each other replica's change the snapshot relays, by change ID, as the node pulled it (`ChangePage.proofs`). A change stamped by another node or by `central` that central does not hold is taken only with a proof that verifies; otherwise it is `refused` and nothing of it is written, so no node can write as another node or as central."
          }
        },
        "example": {
          "node": "rpi-worker-1",
          "mode": "log",
          "changes": [
            {
              "change_id": "5d1c8a57-3f0e-4b8e-9a51-6f2d7c3b9e10",
              "task_id": "0b6f3a52-9d1e-4c7a-8f2b-3e4d5c6b7a81",
              "stamp": "01a20180e450-0000-rpi-worker-1",
              "created_at": "2026-11-22T04:25:54Z",
              "origin": "rpi-worker-1",
              "set": {
                "title": "Buy milk",
                "notes": "",
                "due_at": null,
                "assignee": null,
                "done": false,
                "completed_at": null,
                "deleted": false
              }
            },
            {
              "change_id": "8e2f4b61-0c3d-4a7e-b5f9-1d2c3b4a5e6f",
              "task_id": "0b6f3a52-9d1e-4c7a-8f2b-3e4d5c6b7a81",
              "stamp": "01a201812348-0000-rpi-worker-1",
              "created_at": "2026-11-22T04:25:54Z",
              "origin": "rpi-worker-1",
              "set": {"done": true, "completed_at": "2026-11-22T04:26:10.120Z"}
            }
          ]
        }
      },
      "ChangeResult": {
        "type": "object",
        "required": ["change_id", "outcome"],
        "properties": {
          "change_id": {"type": "string", "format": "uuid"},
          "outcome": {
            "type": "string",
            "enum": ["applied", "already_known", "rejected", "refused", "stamp_in_future"],
            "description": "`applied`: at least one field took the change's value. `already_known`: the change was received before, or every field it sets already holds a newer stamp (or it is listed twice in the batch). Either way the node may forget the change. `rejected`: the change breaks a task rule (`reason` says which) and nothing of it was written; the node quarantines it, and the rest of the batch is merged. `refused`: a snapshot relayed another replica's change that central does not hold, without central's proof of it; nothing was written. `stamp_in_future`: stamped more than 10 minutes ahead of central's clock; nothing was written, and the node stamps it again once its clock is sane."
          },
          "reason": {"type": "string", "description": "Why the change was rejected or refused; absent otherwise."},
          "position": {"allOf": [{"$ref": "#/components/schemas/FeedCursor"}], "description": "Where an `applied` change sits in the feed; the node keeps the highest and sends it as `check`."}
        }
      },
      "ChangePushResponse": {
        "type": "object",
        "required": ["results"],
        "properties": {
          "results": {
            "type": "array",
            "description": "One per pushed change, in request order.",
            "items": {"$ref": "#/components/schemas/ChangeResult"}
          }
        },
        "example": {
          "results": [
            {"change_id": "5d1c8a57-3f0e-4b8e-9a51-6f2d7c3b9e10", "outcome": "applied"},
            {"change_id": "8e2f4b61-0c3d-4a7e-b5f9-1d2c3b4a5e6f", "outcome": "already_known"}
          ]
        }
      },
      "ChangePage": {
        "type": "object",
        "required": ["changes", "cursor", "more"],
        "properties": {
          "changes": {
            "type": "array",
            "description": "Changes after the requested cursor, in feed order.",
            "items": {"$ref": "#/components/schemas/TaskChange"}
          },
          "cursor": {
            "allOf": [{"$ref": "#/components/schemas/FeedCursor"}],
            "description": "The position after the last change returned (the requested one if none): send it as `cursor` next time."
          },
          "more": {"type": "boolean", "description": "Whether more changes follow: pull again at once."},
          "stamp_floor": {"type": "string", "description": "The newest stamp central holds from the pulling node: a node restored from its own backup moves its clock past it."},
          "proofs": {
            "type": "object",
            "additionalProperties": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
            "description": "Central's proof (HMAC-SHA256 under a key in its database, lowercase hex) that it took each change on the page, by change ID; absent when the page is empty. Nodes keep other replicas' changes with their proofs and send both back in a resync snapshot, so a central restored from a backup takes back what only the other replicas still hold, and nothing forged."
          }
        },
        "example": {
          "changes": [
            {
              "change_id": "3a9e7c15-2b4d-4f6a-8c1e-9d0f2a3b4c5d",
              "task_id": "7c2d9e41-5a6b-4c8d-9e0f-1a2b3c4d5e6f",
              "stamp": "01a20181a0f0-0000-central",
              "created_at": "2026-11-22T04:26:42Z",
              "origin": "central",
              "set": {
                "title": "Water the plants",
                "notes": "",
                "due_at": null,
                "assignee": null,
                "done": false,
                "completed_at": null,
                "deleted": false
              }
            }
          ],
          "cursor": "1234-9f3c2a1b7d4e5f60",
          "more": false
        }
      },
      "SampleSeries": {
        "type": "object",
        "required": ["name", "labels"],
        "properties": {
          "name": {"type": "string", "description": "Metric name, e.g. `node_cpu_seconds_total`."},
          "labels": {"$ref": "#/components/schemas/Labels"}
        }
      },
      "SampleReading": {
        "type": "object",
        "required": ["ts", "clock", "layout", "values"],
        "description": "One reading: a value for each series of its layout, all taken at `ts`.",
        "properties": {
          "ts": {"type": "integer", "format": "int64", "description": "Milliseconds since the Unix epoch, exactly as the node stored it."},
          "clock": {"$ref": "#/components/schemas/SampleClock"},
          "layout": {"type": "integer", "minimum": 0, "description": "Index into `layouts`."},
          "values": {
            "type": "array",
            "description": "One finite number per series of the layout, in layout order.",
            "items": {"type": "number"}
          }
        }
      },
      "SampleBatch": {
        "type": "object",
        "required": ["node", "series", "layouts", "readings"],
        "description": "A run of the node's readings, shaped like the agent's storage so neither side builds a dictionary per sample.",
        "properties": {
          "node": {"allOf": [{"$ref": "#/components/schemas/NodeName"}], "description": "The sending node: must be the token's node."},
          "after": {
            "type": "integer",
            "format": "int64",
            "nullable": true,
            "description": "Everything up to and including this `ts` was acknowledged to the node before (its delivered-through position); null or absent if nothing was."
          },
          "series": {
            "type": "array",
            "uniqueItems": true,
            "description": "The series this batch refers to, each listed once (at most 4,096).",
            "items": {"$ref": "#/components/schemas/SampleSeries"}
          },
          "layouts": {
            "type": "array",
            "description": "Each layout lists indexes into `series`, each at most once.",
            "items": {"type": "array", "uniqueItems": true, "items": {"type": "integer", "minimum": 0}}
          },
          "readings": {
            "type": "array",
            "description": "In strictly increasing `ts` order, all after `after` (at most 5,000 readings and 50,000 values).",
            "items": {"$ref": "#/components/schemas/SampleReading"}
          }
        },
        "example": {
          "node": "rpi-worker-1",
          "after": 1795321539000,
          "series": [
            {"name": "node_load1", "labels": {}},
            {"name": "node_cpu_seconds_total", "labels": {"cpu": "0", "mode": "idle"}}
          ],
          "layouts": [[0, 1]],
          "readings": [
            {"ts": 1795321554000, "clock": "synced", "layout": 0, "values": [0.42, 1234.5]},
            {"ts": 1795321569000, "clock": "synced", "layout": 0, "values": [0.4, 1248.25]}
          ]
        }
      },
      "SampleAck": {
        "type": "object",
        "required": ["samples", "inserted", "duplicates", "expired"],
        "description": "Sent after COMMIT. `samples = inserted + duplicates + expired`.",
        "properties": {
          "stored_through": {
            "type": "integer",
            "format": "int64",
            "description": "The last reading's `ts` (or `after` if the batch has no readings): every sample with `after < ts <= stored_through` is durably stored or expired. Absent when the batch has neither readings nor `after`."
          },
          "samples": {"type": "integer", "minimum": 0, "description": "Samples in the batch."},
          "inserted": {"type": "integer", "minimum": 0, "description": "Samples stored by this request."},
          "duplicates": {"type": "integer", "minimum": 0, "description": "Samples central already held (a replay)."},
          "expired": {"type": "integer", "minimum": 0, "description": "Samples older than central's raw retention: acknowledged, not stored. (A central from before retention leaves this out: read it as 0.)"}
        },
        "example": {"stored_through": 1795321569000, "samples": 4, "inserted": 4, "duplicates": 0, "expired": 0}
      },
      "ResyncRequest": {
        "type": "object",
        "required": ["node"],
        "properties": {
          "node": {"allOf": [{"$ref": "#/components/schemas/NodeName"}], "description": "The node starting a resync: must be the token's node."}
        },
        "example": {"node": "rpi-worker-1"}
      },
      "ResyncResponse": {
        "type": "object",
        "required": ["resync_open_until"],
        "properties": {
          "samples_through": {
            "type": "integer",
            "format": "int64",
            "description": "The newest sample `ts` central holds for the node; absent if it holds none. The node resends its samples after it."
          },
          "resync_open_until": {
            "type": "string",
            "format": "date-time",
            "description": "Snapshot pushes are accepted until then (24 hours from the request)."
          }
        },
        "example": {"samples_through": 1795321569000, "resync_open_until": "2026-11-23T04:30:00.250Z"}
      }
    },
    "responses": {
      "BadParameter": {
        "description": "`bad_parameter`: a query parameter is missing or cannot be read; the message names it.",
        "content": {
          "application/json": {
            "schema": {"$ref": "#/components/schemas/Error"},
            "example": {"error": {"code": "bad_parameter", "message": "limit must be an integer from 1 to 1000"}}
          }
        }
      },
      "MalformedJSON": {
        "description": "`malformed_json`: the body is not JSON, or not a JSON object.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "Unauthorized": {
        "description": "`unauthorized`: the bearer token is missing, unknown or revoked.",
        "headers": {
          "WWW-Authenticate": {
            "required": true,
            "schema": {"type": "string"},
            "description": "`Bearer realm=\"edge-central\"`",
            "example": "Bearer realm=\"edge-central\""
          }
        },
        "content": {
          "application/json": {
            "schema": {"$ref": "#/components/schemas/Error"},
            "example": {
              "error": {
                "code": "unauthorized",
                "message": "a valid node token is required: Authorization: Bearer <token> (unknown and revoked tokens are refused)"
              }
            }
          }
        }
      },
      "TooManyFailures": {
        "description": "`too_many_failures`: this source address failed authentication too often (20 failures at once, then one more every 3 s); answered before the token is looked up. Retry after `Retry-After` seconds.",
        "headers": {
          "Retry-After": {"required": true, "schema": {"type": "integer", "minimum": 1}, "description": "Seconds until this address may try again."}
        },
        "content": {
          "application/json": {
            "schema": {"$ref": "#/components/schemas/Error"},
            "example": {"error": {"code": "too_many_failures", "message": "too many failed authentications from this address; retry in 3 s"}}
          }
        }
      },
      "NotFound": {
        "description": "`not_found`: no task with this ID (it never existed, or was deleted). The ID must be a full UUID.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "BodyTooLarge": {
        "description": "`body_too_large`: the body is over 64 KiB.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "UnsupportedMediaType": {
        "description": "`unsupported_media_type`: the body was sent without `Content-Type: application/json`.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "InvalidField": {
        "description": "`invalid_field`: a field breaks the rules or is unknown; the message names it.",
        "content": {
          "application/json": {
            "schema": {"$ref": "#/components/schemas/Error"},
            "example": {"error": {"code": "invalid_field", "message": "title must not be empty"}}
          }
        }
      },
      "DatabaseUnavailable": {
        "description": "`database_unavailable`: PostgreSQL is unreachable or did not answer within 5 s. Nothing was written, or a commit could not be confirmed: retry after `Retry-After` seconds (replaying is safe).",
        "headers": {
          "Retry-After": {
            "description": "Seconds to wait before retrying (5).",
            "schema": {"type": "integer", "minimum": 0},
            "example": 5
          }
        },
        "content": {
          "application/json": {
            "schema": {"$ref": "#/components/schemas/Error"},
            "example": {"error": {"code": "database_unavailable", "message": "the central database is unavailable; retry later"}}
          }
        }
      },
      "NotReady": {
        "description": "`not_ready`: the schema is not migrated yet, or the last PostgreSQL check failed.",
        "content": {
          "application/json": {
            "schema": {"$ref": "#/components/schemas/Error"},
            "example": {"error": {"code": "not_ready", "message": "PostgreSQL is unreachable"}}
          }
        }
      },
      "SyncBadRequest": {
        "description": "`malformed_batch`: the body is not JSON, does not match the sync format (the message names the key), or (samples) breaks the batch's own structure. `malformed_json`: `Content-Encoding: gzip` but the body is not valid gzip. Nothing was written.",
        "content": {
          "application/json": {
            "schema": {"$ref": "#/components/schemas/Error"},
            "example": {"error": {"code": "malformed_batch", "message": "the body does not match the sync format: changes[0]: missing stamp"}}
          }
        }
      },
      "SyncBodyTooLarge": {
        "description": "`body_too_large`: over the endpoint's limit of bytes sent, bytes inflated, or items; send smaller batches. Nothing was written.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "SyncUnsupportedMediaType": {
        "description": "`unsupported_media_type`: not `Content-Type: application/json`; `unsupported_encoding`: a `Content-Encoding` other than `gzip` or `identity`.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "WrongNode": {
        "description": "`wrong_node`: the body's `node` is not the token's node. Nothing was written.",
        "content": {
          "application/json": {
            "schema": {"$ref": "#/components/schemas/Error"},
            "example": {"error": {"code": "wrong_node", "message": "this token belongs to node rpi-worker-1, not rpi-worker-2"}}
          }
        }
      },
      "PushForbidden": {
        "description": "`wrong_node`: the body's `node` is not the token's node. `forged_change`: in `log` mode a change is stamped by another node or by `central` (the message names it). `resync_not_open`: a `snapshot` push outside the node's resync window. Nothing was written.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "CursorUnknown": {
        "description": "`cursor_unknown`: the cursor is malformed or not from this central's feed (central restored from a backup). Do a full resync.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "CentralRewound": {
        "description": "`central_rewound`: `after` is newer than the newest sample central holds for the node (central restored from a backup). Nothing was written; do a full resync.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "SampleInFuture": {
        "description": "`sample_in_future`: a reading is more than 1 day ahead of central's clock; the message names the first one. Nothing was written; fix the node's clock.",
        "content": {
          "application/json": {
            "schema": {"$ref": "#/components/schemas/Error"},
            "example": {"error": {"code": "sample_in_future", "message": "readings[3].ts 1795600000000 (2026-11-25T09:46:40Z) is more than 24 h ahead of central's clock (2026-11-22T04:25:54Z); fix the node's clock"}}
          }
        }
      }
    },
    "securitySchemes": {
      "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "A node token from `edge-central nodes add NAME` (or `nodes rotate NAME`): `edge1_` and 43 base64url characters. Required on every `/v1/*` request."
      }
    }
  }
}
"""#
}
