import Sync

/// The OpenAPI 3.0.3 document of the agent's HTTP API, served at `GET /openapi.json`.
/// The human-readable companion is `docs/agent-api.md`; keep the two in step.
enum OpenAPIDocument {
    static let json: String = #"""
{
  "openapi": "3.0.3",
  "info": {
    "title": "edge-agent local API",
    "version": "1",
    "description": "The HTTP API of `edge-agent run` on one node of a household Raspberry Pi cluster: tasks (replicated to every node and to central, usable offline), the latest hardware reading, stored metric samples and the agent's status.\n\n**JSON** in and out. All times are RFC 3339 UTC strings (`2026-11-22T04:25:54Z`, milliseconds only when non-zero); request times may carry any offset. Request bodies must be sent with `Content-Type: application/json` and be at most 64 KiB.\n\n**Errors** are `{\"error\": {\"code\": \"...\", \"message\": \"...\"}}`: 400 `malformed_json` / `bad_parameter`, 401 `unauthorized`, 404 `not_found` (also for an unknown path), 405 `method_not_allowed` (a method a path does not serve), 413 `body_too_large`, 415 `unsupported_media_type`, 422 `invalid_field`, 503 `not_ready`, 507 `storage_full`. Bad input never gives a 500.\n\n**Authentication:** when the agent runs with `--api-token-file` (`EDGE_API_TOKEN_FILE`), every `/v1/*` request needs `Authorization: Bearer <token>`; without it no token is needed. `/health`, `/readiness`, `/metrics`, `/openapi.json`, `/docs` and `/` never need one."
  },
  "tags": [
    {"name": "tasks", "description": "Household tasks."},
    {"name": "node", "description": "Hardware of this node."},
    {"name": "series", "description": "Stored metric samples."},
    {"name": "status", "description": "Agent and sync status."},
    {"name": "probes", "description": "Liveness, readiness and Prometheus metrics."},
    {"name": "pages", "description": "This document and the web pages."}
  ],
  "paths": {
    "/health": {
      "get": {
        "tags": ["probes"],
        "operationId": "health",
        "summary": "Liveness",
        "description": "200 while the process can serve requests and read its database. Does not depend on the central API. Never needs a token.",
        "responses": {
          "200": {
            "description": "Alive.",
            "content": {
              "application/json": {"schema": {"$ref": "#/components/schemas/Health"}, "example": {"status": "ok"}}
            }
          },
          "503": {
            "description": "The database cannot be read.",
            "content": {
              "application/json": {
                "schema": {"$ref": "#/components/schemas/Health"},
                "example": {"status": "unhealthy", "message": "database is not readable"}
              }
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
        "description": "200 once the database is open and migrated, 503 before. Does not depend on the central API. Never needs a token.",
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
        "description": "Prometheus text exposition format 0.0.4: node_exporter 1.5's `node_*` metrics (its collectors for what a Raspberry Pi has, read fresh at every scrape, with `node_scrape_collector_success` and `_duration_seconds` per collector; `--collector.NAME` / `--no-collector.NAME` switch them) and `edge_*` metrics (docs/agent-api.md, \"Metrics\"). Never needs a token.",
        "responses": {
          "200": {
            "description": "The metrics.",
            "content": {
              "text/plain; version=0.0.4; charset=utf-8": {
                "schema": {"type": "string"},
                "example": "# HELP node_load1 1m load average.\n# TYPE node_load1 gauge\nnode_load1 0.52\n"
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
    "/docs": {
      "get": {
        "tags": ["pages"],
        "operationId": "docs",
        "summary": "API documentation page",
        "description": "An HTML page that renders `/openapi.json`. Self-contained: works offline.",
        "responses": {
          "200": {
            "description": "HTML page.",
            "content": {"text/html; charset=utf-8": {"schema": {"type": "string"}}}
          }
        }
      }
    },
    "/": {
      "get": {
        "tags": ["pages"],
        "operationId": "home",
        "summary": "Household web page",
        "description": "The household task page for phone browsers on the LAN. Works offline, no external assets.",
        "responses": {
          "200": {
            "description": "HTML page.",
            "content": {"text/html; charset=utf-8": {"schema": {"type": "string"}}}
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
        "description": "Tasks newest first (by `created_at`). The `ETag` changes whenever any task changes; send it back in `If-None-Match` to get 304 while nothing has.",
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
            "headers": {"ETag": {"description": "Version of the task list.", "schema": {"type": "string"}}},
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TaskList"}}}
          },
          "304": {
            "description": "Not modified: `If-None-Match` matched the current `ETag`.",
            "headers": {"ETag": {"description": "Version of the task list.", "schema": {"type": "string"}}}
          },
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"}
        }
      },
      "post": {
        "tags": ["tasks"],
        "operationId": "createTask",
        "summary": "Add a task",
        "security": [{"bearerAuth": []}],
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
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "409": {
            "description": "`task_exists`: the `id` belongs to a task created with other content, or to a deleted task. Nothing was written.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
          },
          "413": {"$ref": "#/components/responses/BodyTooLarge"},
          "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
          "422": {"$ref": "#/components/responses/InvalidField"},
          "507": {"$ref": "#/components/responses/StorageFull"}
        }
      }
    },
    "/v1/tasks/{id}": {
      "parameters": [
        {
          "name": "id",
          "in": "path",
          "required": true,
          "description": "The task's full UUID.",
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
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      },
      "patch": {
        "tags": ["tasks"],
        "operationId": "updateTask",
        "summary": "Change a task",
        "security": [{"bearerAuth": []}],
        "description": "Changes any of `title`, `notes`, `due_at`, `assignee`, `done`. Completing or reopening a task is a PATCH of `done`.",
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TaskPatch"}}}
        },
        "responses": {
          "200": {
            "description": "The task after the change.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Task"}}}
          },
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "413": {"$ref": "#/components/responses/BodyTooLarge"},
          "415": {"$ref": "#/components/responses/UnsupportedMediaType"},
          "422": {"$ref": "#/components/responses/InvalidField"},
          "507": {"$ref": "#/components/responses/StorageFull"}
        }
      },
      "delete": {
        "tags": ["tasks"],
        "operationId": "deleteTask",
        "summary": "Delete a task",
        "security": [{"bearerAuth": []}],
        "description": "Deletes the task everywhere (a tombstone that syncs). Afterwards the ID answers 404.",
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
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "507": {"$ref": "#/components/responses/StorageFull"}
        }
      }
    },
    "/v1/peers": {
      "get": {
        "tags": ["node"],
        "operationId": "listPeers",
        "summary": "The household's other Pis",
        "security": [{"bearerAuth": []}],
        "description": "The base URLs of the household's other Pis, as phones reach them (`--peer-urls` / `EDGE_PEER_URLS`). The household page switches to one of them when this Pi stops answering; this agent answers cross-origin requests (CORS) from their pages and from no other origin.",
        "responses": {
          "200": {
            "description": "The list, possibly empty.",
            "content": {"application/json": {"schema": {
              "type": "object",
              "required": ["peers"],
              "properties": {"peers": {"type": "array", "items": {"type": "string", "format": "uri"}, "maxItems": 32}}
            }, "example": {"peers": ["http://192.168.1.11:8080", "http://pi-c.local:8080"]}}}
          },
          "401": {"$ref": "#/components/responses/Unauthorized"}
        }
      }
    },
    "/v1/node": {
      "get": {
        "tags": ["node"],
        "operationId": "getNode",
        "summary": "Latest hardware reading",
        "security": [{"bearerAuth": []}],
        "description": "The sampler's latest reading of this node's hardware (no new reading is taken).",
        "responses": {
          "200": {
            "description": "The reading.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NodeReading"}}}
          },
          "401": {"$ref": "#/components/responses/Unauthorized"},
          "503": {"$ref": "#/components/responses/NotReady"}
        }
      }
    },
    "/v1/series": {
      "get": {
        "tags": ["series"],
        "operationId": "getSeries",
        "summary": "Samples of one metric",
        "security": [{"bearerAuth": []}],
        "description": "Samples of the metric `name` between `since` and `until`, in time order: raw when `step` is absent, otherwise aggregated per bucket of `step` (avg, min, max, count).\n\n**Label matchers:** every query parameter other than `name`, `since`, `until` and `step` is a label matcher: `cpu=0&mode=idle` keeps only series whose label `cpu` is `0` and `mode` is `idle`.\n\n400 `bad_parameter` for a missing `name`, an unreadable time or step, `since` after `until`, or more than 11000 steps.",
        "parameters": [
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
            "description": "Start (RFC 3339). Default: `until` minus 1 hour.",
            "schema": {"type": "string", "format": "date-time"}
          },
          {
            "name": "until",
            "in": "query",
            "required": false,
            "description": "End (RFC 3339). Default: now.",
            "schema": {"type": "string", "format": "date-time"}
          },
          {
            "name": "step",
            "in": "query",
            "required": false,
            "description": "Bucket width: a whole number and a unit (`ms`, `s`, `m`, `h`, `d`, `w`), e.g. `60s`, `5m`, `1h`; at least 1s and at most 11000 steps between `since` and `until`.",
            "schema": {"type": "string", "pattern": "^([1-9][0-9]{0,8}(s|m|h|d|w)|[1-9][0-9]{3,14}ms)$"},
            "example": "60s"
          }
        ],
        "responses": {
          "200": {
            "description": "The samples.",
            "content": {
              "application/json": {
                "schema": {
                  "oneOf": [
                    {"$ref": "#/components/schemas/SeriesRaw"},
                    {"$ref": "#/components/schemas/SeriesStepped"}
                  ]
                }
              }
            }
          },
          "400": {"$ref": "#/components/responses/BadRequest"},
          "401": {"$ref": "#/components/responses/Unauthorized"}
        }
      }
    },
    "/v1/status": {
      "get": {
        "tags": ["status"],
        "operationId": "getStatus",
        "summary": "Agent status",
        "security": [{"bearerAuth": []}],
        "description": "Node, store size, pending sync items, oldest pending age, last successful sync, last error.",
        "responses": {
          "200": {
            "description": "The status.",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Status"}}}
          },
          "401": {"$ref": "#/components/responses/Unauthorized"}
        }
      }
    }
  },
  "components": {
    "schemas": {
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
                  "bad_parameter",
                  "unauthorized",
                  "not_found",
                  "method_not_allowed",
                  "body_too_large",
                  "unsupported_media_type",
                  "invalid_field",
                  "task_exists",
                  "not_ready",
                  "storage_full"
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
          "error": {"code": "invalid_field", "message": "title must not be empty"}
        }
      },
      "Health": {
        "type": "object",
        "required": ["status"],
        "description": "Liveness. Further keys may explain an `unhealthy` status.",
        "properties": {
          "status": {"type": "string", "enum": ["ok", "unhealthy"]},
          "message": {"type": "string", "description": "Why the process is unhealthy (only with `unhealthy`)."}
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
        "description": "A household task (docs/agent-api.md). Every key is always present.",
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
          "title": {"type": "string", "minLength": 1, "maxLength": 200},
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
          "origin": {"type": "string", "description": "Name of the node that created the task."},
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
      "Labels": {
        "type": "object",
        "additionalProperties": {"type": "string"},
        "description": "Label names to values.",
        "example": {"cpu": "0", "mode": "idle"}
      },
      "RawPoint": {
        "type": "object",
        "required": ["t", "v"],
        "properties": {
          "t": {"type": "string", "format": "date-time"},
          "v": {"type": "number"}
        }
      },
      "SteppedPoint": {
        "type": "object",
        "required": ["t", "avg", "min", "max", "count"],
        "properties": {
          "t": {"type": "string", "format": "date-time", "description": "Start of the bucket."},
          "avg": {"type": "number"},
          "min": {"type": "number"},
          "max": {"type": "number"},
          "count": {"type": "integer", "minimum": 1, "description": "Samples in the bucket."}
        }
      },
      "SeriesRaw": {
        "type": "object",
        "required": ["name", "step", "series"],
        "description": "Raw samples (no `step` given).",
        "properties": {
          "name": {"type": "string"},
          "step": {
            "type": "string",
            "nullable": true,
            "enum": [null],
            "description": "Always null for raw samples."
          },
          "series": {
            "type": "array",
            "items": {
              "type": "object",
              "required": ["labels", "points"],
              "properties": {
                "labels": {"$ref": "#/components/schemas/Labels"},
                "points": {
                  "type": "array",
                  "description": "In time order.",
                  "items": {"$ref": "#/components/schemas/RawPoint"}
                }
              }
            }
          }
        },
        "example": {
          "name": "node_load1",
          "step": null,
          "series": [{"labels": {}, "points": [{"t": "2026-11-22T04:25:45Z", "v": 0.52}]}]
        }
      },
      "SeriesStepped": {
        "type": "object",
        "required": ["name", "step", "series"],
        "description": "Samples aggregated into buckets of `step`.",
        "properties": {
          "name": {"type": "string"},
          "step": {"type": "string", "description": "The bucket width as requested, e.g. `60s`."},
          "series": {
            "type": "array",
            "items": {
              "type": "object",
              "required": ["labels", "points"],
              "properties": {
                "labels": {"$ref": "#/components/schemas/Labels"},
                "points": {
                  "type": "array",
                  "description": "One per bucket that holds samples, in time order.",
                  "items": {"$ref": "#/components/schemas/SteppedPoint"}
                }
              }
            }
          }
        },
        "example": {
          "name": "node_load1",
          "step": "60s",
          "series": [
            {
              "labels": {},
              "points": [{"t": "2026-11-22T04:25:00Z", "avg": 1.5, "min": 1.0, "max": 2.0, "count": 4}]
            }
          ]
        }
      },
      "Status": {
        "type": "object",
        "required": ["node", "version", "started_at", "store", "sync"],
        "description": "What `edge-agent status --json` prints.",
        "properties": {
          "node": {"type": "string"},
          "version": {"type": "string"},
          "started_at": {"type": "string", "format": "date-time"},
          "store": {
            "type": "object",
            "required": ["path", "state", "problem", "bytes", "tasks_open", "tasks_done", "samples_dropped"],
            "properties": {
              "path": {"type": "string", "description": "The database file."},
              "state": {"type": "string", "enum": ["ok", "corrupt", "missing", "replaced", "immutable"], "description": "ok; corrupt: SQLite found the file damaged; missing: deleted while the agent ran; replaced: another file now sits at the path; immutable: chattr +i/+a on the database, its WAL or shm. While not ok, readiness is 503 and writes are refused (503 store_unavailable)."},
              "problem": {"type": "string", "nullable": true, "description": "What is wrong with the store and what to do; null when state is ok."},
              "bytes": {"type": "integer", "minimum": 0, "description": "Size of the database on disk."},
              "tasks_open": {"type": "integer", "minimum": 0},
              "tasks_done": {"type": "integer", "minimum": 0},
              "samples_dropped": {
                "type": "integer",
                "minimum": 0,
                "description": "Samples dropped to stay under the size budget."
              }
            }
          },
          "sync": {
            "type": "object",
            "required": [
              "central_url",
              "state",
              "pending",
              "oldest_pending_age_seconds",
              "last_success_at",
              "last_error",
              "errors"
            ],
            "properties": {
              "central_url": {"type": "string", "nullable": true, "description": "null when standalone."},
              "state": {"type": "string", "enum": ["standalone", "starting", "ok", "offline", "unauthorized", "no_credential", "error"], "description": "standalone: no central configured; starting: no attempt finished yet; ok: the last cycle succeeded; offline: central unreachable, timed out or 5xx; unauthorized: 401/403 (token unknown or revoked; local data is kept); no_credential: the token file is missing, empty or unreadable (local data is kept; sync resumes when the file appears); error: TLS, refused batch, clock, local database."},
              "pending": {
                "type": "object",
                "required": ["task_changes", "samples"],
                "properties": {
                  "task_changes": {"type": "integer", "minimum": 0},
                  "samples": {"type": "integer", "minimum": 0}
                }
              },
              "oldest_pending_age_seconds": {"type": "number", "minimum": 0, "nullable": true},
              "last_success_at": {"type": "string", "format": "date-time", "nullable": true},
              "last_error": {"type": "string", "nullable": true},
              "errors": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}, "description": "Failed sync cycles by reason (unreachable, timeout, tls, server_error, unauthorized, forbidden, rejected, clock, local, no_credential), as recorded in the database."},
              "clock_offset_seconds": {"type": "number", "nullable": true, "description": "Central's clock minus this node's at the last answer, from central's Date header (about 1 s resolution); positive: this node's clock is behind. null until central has answered."},
              "changes_restamped": {"type": "integer", "minimum": 0, "description": "Local changes stamped again because central found them stamped in the future (made while this node's clock ran ahead), since the database was created."},
              "clock": {"type": "string", "nullable": true, "enum": ["synchronised", "unsynchronised", null], "description": "Whether this node's wall clock is synchronised (NTP, from the kernel or systemd-timesyncd); null when unknown."},
              "readings_waiting_for_clock": {"type": "integer", "minimum": 0, "description": "Readings not sent yet because their true time is not known yet: untrusted readings of this boot before its clock was synchronised (NTP) or anchored to central's clock (at most 24 h, then they are sent marked untrusted), and readings stamped more than 10 minutes ahead of central's clock."},
              "readings_retimed": {"type": "integer", "minimum": 0, "description": "Readings moved to their true times (from the boot's CLOCK_BOOTTIME) once the clock was known to be right, since the database was created."},
              "readings_sent_untrusted": {"type": "integer", "minimum": 0, "description": "Readings sent to central marked untrusted: their boot's true time never became known."},
              "quarantined": {
                "type": "array",
                "description": "Local changes kept out of the push queue because they cannot be sent (central refused them, or they cannot be read back); `edge-agent sync quarantine` acts on them.",
                "items": {
                  "type": "object",
                  "required": ["id", "task_id", "reason", "quarantined_at"],
                  "properties": {
                    "id": {"type": "string"},
                    "task_id": {"type": "string"},
                    "reason": {"type": "string"},
                    "quarantined_at": {"type": "string", "format": "date-time", "nullable": true}
                  }
                }
              }
            }
          }
        },
        "example": {
          "node": "rpi-worker-1",
          "version": "0.1.0",
          "started_at": "2026-11-22T04:00:00Z",
          "store": {
            "path": "/var/lib/edge-agent/agent.db",
            "state": "ok",
            "problem": null,
            "bytes": 123456,
            "tasks_open": 3,
            "tasks_done": 7,
            "samples_dropped": 0
          },
          "sync": {
            "central_url": null,
            "state": "standalone",
            "pending": {"task_changes": 2, "samples": 5400},
            "oldest_pending_age_seconds": 12.5,
            "last_success_at": null,
            "last_error": null,
            "errors": {},
            "clock_offset_seconds": null,
            "changes_restamped": 0,
            "clock": "synchronised",
            "readings_waiting_for_clock": 0,
            "readings_retimed": 0,
            "readings_sent_untrusted": 0,
            "quarantined": []
          }
        }
      },
      "Board": {
        "type": "object",
        "properties": {
          "model": {"type": "string", "example": "Raspberry Pi 4 Model B Rev 1.4"},
          "revision": {"type": "string", "description": "Revision code in hex, e.g. `c03114`."},
          "serial": {"type": "string"}
        }
      },
      "Load": {
        "type": "object",
        "properties": {"load1": {"type": "number"}, "load5": {"type": "number"}, "load15": {"type": "number"}}
      },
      "Temperature": {
        "type": "object",
        "required": ["zone", "type", "celsius"],
        "properties": {
          "zone": {"type": "string", "description": "Thermal zone number, e.g. `0`."},
          "type": {"type": "string", "example": "cpu-thermal"},
          "celsius": {"type": "number"}
        }
      },
      "ThrottleConditions": {
        "type": "object",
        "required": ["under_voltage", "arm_freq_capped", "throttled", "soft_temp_limit"],
        "properties": {
          "under_voltage": {"type": "boolean"},
          "arm_freq_capped": {"type": "boolean"},
          "throttled": {"type": "boolean"},
          "soft_temp_limit": {"type": "boolean"}
        }
      },
      "Throttling": {
        "type": "object",
        "required": ["raw", "now", "since_boot"],
        "properties": {
          "raw": {
            "type": "string",
            "pattern": "^0x[0-9a-f]+$",
            "description": "The firmware's `get_throttled` word, e.g. `0x50005`."
          },
          "now": {"$ref": "#/components/schemas/ThrottleConditions"},
          "since_boot": {"$ref": "#/components/schemas/ThrottleConditions"}
        },
        "description": "Raspberry Pi firmware throttling flags."
      },
      "Fan": {
        "type": "object",
        "required": ["chip", "sensor", "rpm"],
        "properties": {
          "chip": {"type": "string", "example": "platform_cooling_fan"},
          "sensor": {"type": "string", "example": "fan1"},
          "rpm": {"type": "number", "minimum": 0}
        }
      },
      "CPU": {
        "type": "object",
        "required": ["cpu"],
        "properties": {
          "cpu": {"type": "string", "description": "CPU number, e.g. `0`."},
          "frequency_hertz": {"type": "number", "minimum": 0},
          "seconds": {
            "type": "object",
            "additionalProperties": {"type": "number"},
            "description": "Seconds spent per mode since boot (`user`, `nice`, `system`, `idle`, `iowait`, `irq`, `softirq`, `steal`)."
          }
        }
      },
      "Memory": {
        "type": "object",
        "properties": {
          "total_bytes": {"type": "integer", "minimum": 0},
          "available_bytes": {"type": "integer", "minimum": 0},
          "free_bytes": {"type": "integer", "minimum": 0},
          "buffers_bytes": {"type": "integer", "minimum": 0},
          "cached_bytes": {"type": "integer", "minimum": 0},
          "swap_total_bytes": {"type": "integer", "minimum": 0},
          "swap_free_bytes": {"type": "integer", "minimum": 0}
        }
      },
      "Filesystem": {
        "type": "object",
        "required": ["device", "fstype", "mountpoint", "size_bytes", "avail_bytes"],
        "properties": {
          "device": {"type": "string"},
          "fstype": {"type": "string"},
          "mountpoint": {"type": "string"},
          "size_bytes": {"type": "integer", "minimum": 0},
          "avail_bytes": {"type": "integer", "minimum": 0}
        }
      },
      "NetworkInterface": {
        "type": "object",
        "required": ["device"],
        "properties": {
          "device": {"type": "string"},
          "receive_bytes": {"type": "integer", "minimum": 0},
          "transmit_bytes": {"type": "integer", "minimum": 0}
        }
      },
      "Disk": {
        "type": "object",
        "required": ["device"],
        "properties": {
          "device": {"type": "string"},
          "read_bytes": {"type": "integer", "minimum": 0},
          "written_bytes": {"type": "integer", "minimum": 0}
        }
      },
      "GPIOLine": {
        "type": "object",
        "required": ["chip", "line", "name", "value"],
        "properties": {
          "chip": {"type": "string"},
          "line": {"type": "string"},
          "name": {"type": "string"},
          "value": {"type": "integer", "enum": [0, 1]}
        }
      },
      "ProbeIssue": {
        "type": "object",
        "required": ["probe", "message"],
        "properties": {
          "probe": {"type": "string", "example": "thermal_zone"},
          "message": {"type": "string"}
        },
        "description": "Why a value is absent: something a probe could not read or did not believe."
      },
      "NodeReading": {
        "type": "object",
        "required": [
          "node",
          "taken_at",
          "temperatures",
          "fans",
          "cpus",
          "filesystems",
          "network",
          "disks",
          "gpio",
          "issues"
        ],
        "properties": {
          "node": {"type": "string"},
          "taken_at": {
            "type": "string",
            "format": "date-time",
            "description": "When the sampler took the reading."
          },
          "board": {"$ref": "#/components/schemas/Board"},
          "clock_synchronized": {
            "type": "boolean",
            "description": "Whether the kernel reports the wall clock as NTP-synchronized."
          },
          "boot_time_seconds": {"type": "number", "description": "Boot time, seconds since the Unix epoch."},
          "load": {"$ref": "#/components/schemas/Load"},
          "temperatures": {"type": "array", "items": {"$ref": "#/components/schemas/Temperature"}},
          "throttling": {"$ref": "#/components/schemas/Throttling"},
          "under_voltage_alarm": {"type": "boolean", "description": "hwmon `rpi_volt` `in0_lcrit_alarm`."},
          "fans": {"type": "array", "items": {"$ref": "#/components/schemas/Fan"}},
          "cpus": {"type": "array", "items": {"$ref": "#/components/schemas/CPU"}},
          "memory": {"$ref": "#/components/schemas/Memory"},
          "filesystems": {"type": "array", "items": {"$ref": "#/components/schemas/Filesystem"}},
          "network": {"type": "array", "items": {"$ref": "#/components/schemas/NetworkInterface"}},
          "disks": {"type": "array", "items": {"$ref": "#/components/schemas/Disk"}},
          "gpio": {"type": "array", "items": {"$ref": "#/components/schemas/GPIOLine"}},
          "issues": {"type": "array", "items": {"$ref": "#/components/schemas/ProbeIssue"}}
        },
        "description": "The latest hardware reading, as `edge-agent hw --format json` prints it. Keys whose source is absent are left out (never null or 0); the arrays are always present, possibly empty."
      }
    },
    "responses": {
      "BadRequest": {
        "description": "`bad_parameter` (a query parameter cannot be read) or `malformed_json` (the body is not JSON, or not an object).",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "Unauthorized": {
        "description": "`unauthorized`: the agent runs with `--api-token-file` and the bearer token is missing or wrong.",
        "headers": {
          "WWW-Authenticate": {
            "required": true,
            "schema": {"type": "string"},
            "description": "`Bearer realm=\"edge-agent\"`",
            "example": "Bearer realm=\"edge-agent\""
          }
        },
        "content": {
          "application/json": {
            "schema": {"$ref": "#/components/schemas/Error"},
            "example": {
              "error": {"code": "unauthorized", "message": "a valid bearer token is required"}
            }
          }
        }
      },
      "NotFound": {
        "description": "`not_found`: no task with this ID (it never existed, or was deleted). The ID must be a full UUID; prefixes are not looked up.",
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
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "StorageFull": {
        "description": "`storage_full`: the disk or the `--max-db-size` budget is full. Reads still work.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      },
      "NotReady": {
        "description": "`not_ready`: the database is not open yet, or (for `/v1/node`) there is no reading yet.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
      }
    },
    "securitySchemes": {
      "bearerAuth": {
        "type": "http",
        "scheme": "bearer",
        "description": "The token in the file given by `--api-token-file`. Required on `/v1/*` only, and only when that option is set."
      }
    }
  }
}
"""#
}
