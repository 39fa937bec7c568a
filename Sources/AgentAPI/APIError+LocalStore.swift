import HouseholdAPI
import LocalStore

extension APIError {
    /// The store's errors, mapped to statuses once, here.
    init(_ error: LocalStoreError) {
        switch error {
        case .taskNotFound: self = .notFound(error.description)
        case .ambiguousID: self = .notFound(error.description)
        case .taskConflict: self = APIError(.conflict, "task_exists", error.description)
        case .invalid(let field): self = .invalidField(field.message)
        case .storageFull: self = .storageFull
        case .unavailable(let health): self = APIError(.serviceUnavailable, "store_unavailable", health.description)
        case .corrupt: self = APIError(.serviceUnavailable, "store_unavailable", error.description)
        default: self = APIError(.internalServerError, "internal", "the agent could not complete the request: \(error.code)")
        }
    }

    /// For `ErrorMiddleware`: the store's errors, nil for anything else.
    static func translating(_ error: any Error) -> APIError? {
        (error as? LocalStoreError).map(APIError.init)
    }
}
