/// Which tasks a listing returns (`?state=` of `GET /v1/tasks`, `tasks list --all|--done`).
public enum TaskState: String, Sendable, CaseIterable, Codable {
    case open, done, all
}
