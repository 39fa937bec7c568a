import AgentAPI
import Foundation
import HouseholdAPI
import Hummingbird
import HummingbirdTesting
import LocalStore
import Sync
import Testing

@Suite struct TaskRoutesTests {
    @Test func createReturns201WithLocationAndTheTask() async throws {
        let agent = try TestAgent()
        try await agent.application.test(.router) { client in
            try await client.execute(
                uri: "/v1/tasks", method: .post, headers: jsonHeaders,
                body: body(#"{"title":"  Buy milk ","due_at":"2030-01-02T03:04:05+09:00","assignee":"mum","notes":"oat"}"#)
            ) { r in
                #expect(r.status == .created)
                let id = try #require(r.json["id"] as? String)
                #expect(r.headers[.location] == "/v1/tasks/\(id)")
                #expect(r.headers[.contentType] == "application/json")
                #expect(r.json["title"] as? String == "Buy milk")
                #expect(r.json["due_at"] as? String == "2030-01-01T18:04:05Z")
                #expect(r.json["origin"] as? String == "rpi-worker-1")
                #expect(r.json["done"] as? Bool == false)
            }
        }
    }

    @Test func aCreateRetriedWithItsClientIDIs200WithTheSameTaskAndOtherContentIs409() async throws {
        let agent = try TestAgent()
        let id = "0B6F3A52-9D1E-4C7A-8F2B-3E4D5C6B7A81"
        let request = #"{"id":"\#(id)","title":"Bins","assignee":"sam"}"#
        try await agent.application.test(.router) { client in
            try await client.execute(uri: "/v1/tasks", method: .post, headers: jsonHeaders, body: body(request)) { r in
                #expect(r.status == .created && r.json["id"] as? String == id.lowercased())
                #expect(r.headers[.location] == "/v1/tasks/\(id.lowercased())")
            }
            try await client.execute(uri: "/v1/tasks", method: .post, headers: jsonHeaders, body: body(request)) { r in
                #expect(r.status == .ok && r.json["id"] as? String == id.lowercased() && r.json["title"] as? String == "Bins")
                #expect(r.headers[.location] == nil)
            }
            try await client.execute(
                uri: "/v1/tasks", method: .post, headers: jsonHeaders,
                body: body(#"{"id":"\#(id)","title":"Bins","assignee":"alex"}"#)
            ) { r in
                #expect(r.status == .conflict && r.errorCode == "task_exists")
            }
            for bad in [#""not-a-uuid""#, "42", "null"] {
                try await client.execute(
                    uri: "/v1/tasks", method: .post, headers: jsonHeaders,
                    body: body(#"{"id":\#(bad),"title":"Bins"}"#)
                ) { r in
                    #expect(r.status == .unprocessableContent && r.errorCode == "invalid_field", "id \(bad)")
                }
            }
        }
        #expect(try agent.store.tasks().count == 1)
        #expect(try agent.store.pendingChanges(limit: 10).count == 1)
    }

    @Test func theListPagesWithLimitAndACursorThatSurvivesDeletes() async throws {
        let agent = try TestAgent()
        var made: [TaskItem] = []
        for i in 1...5 {
            // One per millisecond, so "newest first" is one order.
            if let last = made.last { while WallClock.system.nowMillis() <= last.createdAt { await Task.yield() } }
            made.append(try agent.store.createTask(.init(title: "task \(i)")))
        }
        let tasks = made
        try await agent.application.test(.router) { client in
            func page(_ query: String) async throws -> (titles: [String], next: String?) {
                try await client.execute(uri: "/v1/tasks?\(query)", method: .get) { r in
                    #expect(r.status == .ok, "\(query)")
                    #expect(r.headers[.eTag] == nil, "paged answers carry no ETag")
                    return ((r.json["tasks"] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String }, r.json["next_cursor"] as? String)
                }
            }
            let first = try await page("limit=2")
            #expect(first.titles == ["task 5", "task 4"])
            let cursor = try #require(first.next)
            // The page's last task goes away: the next page still starts after it.
            try agent.store.deleteTask(id: tasks[3].id)
            let second = try await page("limit=2&cursor=\(cursor)")
            #expect(second.titles == ["task 3", "task 2"])
            let third = try await page("limit=2&cursor=\(try #require(second.next))")
            #expect(third.titles == ["task 1"] && third.next == nil)
            #expect(try await page("cursor=\(cursor)").titles == ["task 3", "task 2", "task 1"])
            _ = try agent.store.updateTask(id: tasks[0].id, .init(done: .init(done: true, completedAt: nil)))
            #expect(try await page("state=done&limit=1").titles == ["task 1"])
            for bad in ["limit=0", "limit=1001", "limit=two", "cursor=c1_x", "cursor=\(cursor.uppercased())", "limit=2&cursor=%00"] {
                try await client.execute(uri: "/v1/tasks?\(bad)", method: .get) { r in
                    #expect(r.status == .badRequest && r.errorCode == "bad_parameter", "\(bad)")
                }
            }
            // Without limit or cursor: the whole list, with its ETag, as before.
            try await client.execute(uri: "/v1/tasks", method: .get) { r in
                #expect(r.headers[.eTag] != nil && r.json["next_cursor"] == nil)
                #expect((r.json["tasks"] as? [Any])?.count == 4)
            }
        }
    }

    @Test func listFiltersByStateNewestFirst() async throws {
        let agent = try TestAgent()
        let first = try agent.store.createTask(.init(title: "first"))
        // Two tasks made in the same millisecond have no newer one (ties go by ID): make the
        // second one in a later millisecond.
        while WallClock.system.nowMillis() <= first.createdAt { await Task.yield() }
        let second = try agent.store.createTask(.init(title: "second"))
        #expect(second.createdAt > first.createdAt)
        _ = try agent.store.updateTask(id: first.id, .init(done: .init(done: true, completedAt: nil)))
        try await agent.application.test(.router) { client in
            for (state, titles) in [("all", ["second", "first"]), ("open", ["second"]), ("done", ["first"])] {
                try await client.execute(uri: "/v1/tasks?state=\(state)", method: .get) { r in
                    #expect(r.status == .ok)
                    #expect((r.json["tasks"] as? [[String: Any]])?.compactMap { $0["title"] as? String } == titles)
                }
            }
            try await client.execute(uri: "/v1/tasks", method: .get) { r in
                #expect((r.json["tasks"] as? [Any])?.count == 2)
            }
            try await client.execute(uri: "/v1/tasks?state=later", method: .get) { r in
                #expect(r.status == .badRequest && r.errorCode == "bad_parameter")
            }
            try await client.execute(uri: "/v1/tasks/\(second.id.uuidString)", method: .get) { r in
                #expect(r.status == .ok && r.json["title"] as? String == "second", "uppercase IDs are accepted")
            }
        }
    }

    @Test func theListCarriesAnETagThatChangesWithAnyWrite() async throws {
        let agent = try TestAgent()
        _ = try agent.store.createTask(.init(title: "first"))
        try await agent.application.test(.router) { client in
            let etag = try await client.execute(uri: "/v1/tasks", method: .get) { r in
                #expect(r.status == .ok)
                return try #require(r.headers[.eTag])
            }
            try await client.execute(uri: "/v1/tasks", method: .get, headers: [.ifNoneMatch: etag]) { r in
                #expect(r.status == .notModified && r.body.readableBytes == 0)
            }
            // A write from elsewhere (the CLI, another connection) makes the cached list stale.
            let other = try LocalStore(directory: agent.dir.path, configuration: .init(nodeName: "cli"))
            _ = try other.createTask(.init(title: "from the CLI"))
            try await client.execute(uri: "/v1/tasks", method: .get, headers: [.ifNoneMatch: etag]) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.eTag] != etag)
                #expect((r.json["tasks"] as? [[String: Any]])?.first?["title"] as? String == "from the CLI")
            }
            try await client.execute(uri: "/v1/tasks?state=done", method: .get, headers: [.ifNoneMatch: etag]) { r in
                #expect(r.status == .ok, "each state has its own ETag")
            }
        }
    }

    @Test func patchChangesFieldsAndCompletes() async throws {
        let agent = try TestAgent()
        let task = try agent.store.createTask(.init(title: "Bins", assignee: "dad"))
        try await agent.application.test(.router) { client in
            try await client.execute(
                uri: "/v1/tasks/\(task.id.lowercasedString)", method: .patch, headers: jsonHeaders,
                body: body(#"{"done":true,"assignee":null,"due_at":"2030-01-01T00:00:00Z"}"#)
            ) { r in
                #expect(r.status == .ok)
                #expect(r.json["done"] as? Bool == true)
                #expect(r.json["completed_at"] is String)
                #expect(r.json["assignee"] is NSNull)
                #expect(r.json["due_at"] as? String == "2030-01-01T00:00:00Z")
            }
            try await client.execute(uri: "/v1/tasks/\(task.id.lowercasedString)", method: .patch, headers: jsonHeaders, body: body("{}")) { r in
                #expect(r.status == .ok && r.json["title"] as? String == "Bins")
            }
        }
    }

    @Test func deletingTwiceReturnsNotFound() async throws {
        let agent = try TestAgent()
        let task = try agent.store.createTask(.init(title: "Bins"))
        try await agent.application.test(.router) { client in
            try await client.execute(uri: "/v1/tasks/\(task.id.lowercasedString)", method: .delete) { r in
                #expect(r.status == .noContent)
                #expect(r.body.readableBytes == 0)
            }
            try await client.execute(uri: "/v1/tasks/\(task.id.lowercasedString)", method: .delete) { r in
                #expect(r.status == .notFound && r.errorCode == "not_found")
            }
            try await client.execute(uri: "/v1/tasks/\(task.id.lowercasedString)", method: .get) { r in
                #expect(r.status == .notFound)
            }
        }
    }

    @Test(arguments: [
        (#"{"title":""}"#, "title must not be empty"),
        (#"{"title":"\#(String(repeating: "x", count: 201))"}"#, "title is 201 characters"),
        (#"{"notes":"n"}"#, "title is required"),
        (#"{"title":5}"#, "title must be a string, not a number"),
        (#"{"title":"ok","notes":null}"#, "notes must be a string, not null"),
        (#"{"title":"ok","notes":"\#(String(repeating: "n", count: 4001))"}"#, "notes are 4001 characters"),
        (#"{"title":"ok","due_at":"tomorrow"}"#, "due_at must be an RFC 3339 date-time"),
        (#"{"title":"ok","due_at":5}"#, "due_at must be an RFC 3339 date-time string or null"),
        (#"{"title":"ok","assignee":"\#(String(repeating: "a", count: 101))"}"#, "assignee is 101 characters"),
        (#"{"title":"ok","done":true}"#, "unknown field \"done\""),
    ])
    func invalidFieldsAre422NamingTheField(json: String, message: String) async throws {
        let agent = try TestAgent()
        try await agent.application.test(.router) { client in
            try await client.execute(uri: "/v1/tasks", method: .post, headers: jsonHeaders, body: body(json)) { r in
                #expect(r.status == .unprocessableContent)
                #expect(r.errorCode == "invalid_field")
                #expect(r.errorMessage?.hasPrefix(message) == true, "\(r.errorMessage ?? "")")
            }
        }
        #expect(try agent.store.tasks().isEmpty, "nothing was written")
    }

    @Test(arguments: [#"{"title":null}"#, #"{"done":"yes"}"#, #"{"done":null}"#, #"{"origin":"x"}"#])
    func invalidPatchesAre422(json: String) async throws {
        let agent = try TestAgent()
        let task = try agent.store.createTask(.init(title: "Bins"))
        try await agent.application.test(.router) { client in
            try await client.execute(uri: "/v1/tasks/\(task.id.lowercasedString)", method: .patch, headers: jsonHeaders, body: body(json)) { r in
                #expect(r.status == .unprocessableContent && r.errorCode == "invalid_field")
            }
        }
        #expect(try agent.store.task(id: task.id)?.title == "Bins")
    }

    @Test func malformedBodiesAre400AndWrongTypes415() async throws {
        let agent = try TestAgent()
        try await agent.application.test(.router) { client in
            for text in ["{", "[1,2]", "\"title\"", "", "null"] {
                try await client.execute(uri: "/v1/tasks", method: .post, headers: jsonHeaders, body: body(text)) { r in
                    #expect(r.status == .badRequest && r.errorCode == "malformed_json", "\(text)")
                }
            }
            try await client.execute(uri: "/v1/tasks", method: .post, headers: [.contentType: "text/plain"], body: body(#"{"title":"x"}"#)) { r in
                #expect(r.status == .unsupportedMediaType && r.errorCode == "unsupported_media_type")
            }
            try await client.execute(uri: "/v1/tasks", method: .post, body: body(#"{"title":"x"}"#)) { r in
                #expect(r.status == .unsupportedMediaType)
            }
        }
    }

    @Test func bodiesOver64KiBAre413() async throws {
        let agent = try TestAgent()
        let big = #"{"title":"x","notes":""# + String(repeating: "n", count: 70_000) + "\"}"
        try await agent.application.test(.router) { client in
            try await client.execute(uri: "/v1/tasks", method: .post, headers: jsonHeaders, body: body(big)) { r in
                #expect(r.status == .contentTooLarge && r.errorCode == "body_too_large")
            }
        }
    }

    /// Storage full (SQLite's SQLITE_FULL, from a hard page limit): writes get 507 and write
    /// nothing, reads keep working.
    @Test func aFullStoreAnswers507AndStillServesReads() async throws {
        let agent = try TestAgent(reading: false, hardLimitBytes: 400_000)
        let notes = String(repeating: "n", count: 3900)
        var stored = 0
        do {
            while true {
                _ = try agent.store.createTask(.init(title: "filler \(stored)", notes: notes))
                stored += 1
            }
        } catch LocalStoreError.storageFull {}
        #expect(stored > 10)
        let filledBefore = stored
        try await agent.application.test(.router) { client in
            var stored = filledBefore
            // Which B-tree page a new task lands on depends on its random ID, so a write can
            // still fit after the loop above failed once: post until the store refuses one.
            var refused = false
            for _ in 0..<50 where !refused {
                let (status, code) = try await client.execute(
                    uri: "/v1/tasks", method: .post, headers: jsonHeaders,
                    body: body(#"{"title":"one more","notes":"\#(notes)"}"#)
                ) { r in (r.status, r.errorCode) }
                if status == .created {
                    stored += 1
                } else {
                    refused = true
                    #expect(status == APIError.storageFull.status)
                    #expect(status.code == 507 && code == "storage_full")
                }
            }
            #expect(refused, "50 more tasks fitted into a full store")
            let filled = stored
            try await client.execute(uri: "/v1/tasks", method: .get) { r in
                #expect(r.status == .ok)
                #expect((r.json["tasks"] as? [Any])?.count == filled)
            }
            try await client.execute(uri: "/health", method: .get) { r in #expect(r.status == .ok) }
        }
        #expect(try agent.store.integrityCheck() == ["ok"])
    }

    @Test func unknownIDsAndPathsAre404() async throws {
        let agent = try TestAgent()
        try await agent.application.test(.router) { client in
            for uri in ["/v1/tasks/\(UUID().uuidString)", "/v1/tasks/not-a-uuid", "/v1/nothing", "/nothing"] {
                try await client.execute(uri: uri, method: .get) { r in
                    #expect(r.status == .notFound && r.errorCode == "not_found", "\(uri)")
                }
            }
            try await client.execute(uri: "/v1/tasks/\(UUID().uuidString)", method: .patch, headers: jsonHeaders, body: body("{}")) { r in
                #expect(r.status == .notFound)
            }
        }
    }
}
