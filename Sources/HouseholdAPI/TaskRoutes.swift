import Hummingbird
import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `/v1/tasks`: the household's tasks (docs/agent-api.md), over any `TaskRepository`.
public struct TaskRoutes<Context: RequestContext, Repository: TaskRepository>: Sendable {
    let store: Repository
    /// Told about every successful write (the sync service pushes soon after).
    let onWrite: @Sendable () -> Void

    public init(store: Repository, onWrite: @escaping @Sendable () -> Void = {}) {
        self.store = store
        self.onWrite = onWrite
    }

    public func register(_ group: RouterGroup<Context>) {
        group.get("tasks") { request, _ -> Response in
            let stateText = request.uri.queryParameters["state"].map(String.init) ?? "all"
            guard let state = TaskState(rawValue: stateText) else {
                throw APIError.badParameter("state must be open, done or all")
            }
            let query = request.uri.queryParameters
            if let page = try TaskPage.request(limit: query["limit"].map(String.init), cursor: query["cursor"].map(String.init)) {
                let body = TaskPage.body(try await store.tasks(state), limit: page.limit, after: page.after)
                return JSONResponse.raw(ByteBuffer(bytes: body))
            }
            let (version, body, count) = try await store.taskList(state)
            if count > TaskPage.unpagedBound {
                // "Everything" up to a bound: the newest ones and a cursor to the rest.
                return JSONResponse.raw(ByteBuffer(bytes: TaskPage.body(try await store.tasks(state), limit: TaskPage.unpagedBound, after: nil)))
            }
            // The version is the ETag: a poll that changed nothing costs a 304 and no body.
            let etag = "\"\(state.rawValue)-\(version)\""
            if request.headers[.ifNoneMatch] == etag {
                return Response(status: .notModified, headers: [.eTag: etag])
            }
            return JSONResponse.raw(body, headers: [.eTag: etag])
        }
        group.post("tasks") { request, _ -> Response in
            let new = try TaskInput.create(try await JSONBody.object(request))
            let creation = try await store.createTask(new)
            let task = creation.item
            // A replay (same client id, same content) is answered 200 with the task as it is.
            guard creation.created else { return JSONResponse.task(task) }
            onWrite()
            return JSONResponse.task(task, status: .created, headers: [.location: "/v1/tasks/\(task.id.lowercasedString)"])
        }
        group.get("tasks/:id") { _, context -> Response in
            let id = try Self.id(context)
            guard let task = try await store.task(id: id) else { throw Self.notFound(id) }
            return JSONResponse.task(task)
        }
        group.patch("tasks/:id") { request, context -> Response in
            let id = try Self.id(context)
            let patch = try TaskInput.patch(try await JSONBody.object(request))
            let task = try await store.updateTask(id: id, patch)
            onWrite()
            return JSONResponse.task(task)
        }
        group.delete("tasks/:id") { request, context -> Response in
            let id = try Self.id(context)
            // `?series=true`: the whole recurring chore, not only this occurrence.
            let series: Bool
            switch request.uri.queryParameters["series"].map(String.init) {
            case nil, "false": series = false
            case "true": series = true
            case let other?: throw APIError.badParameter("series must be true or false, not \(other.prefix(20))")
            }
            try await store.deleteTask(id: id, series: series)
            onWrite()
            return Response(status: .noContent)
        }
    }

    static func id(_ context: Context) throws -> UUID {
        let text = context.parameters.get("id") ?? ""
        guard let id = UUID(uuidString: text) else { throw APIError.notFound("no task with ID \(text.prefix(40))") }
        return id
    }

    public static func notFound(_ id: UUID) -> APIError { .notFound("no task with ID \(id.lowercasedString)") }
}
