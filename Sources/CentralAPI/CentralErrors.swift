import CentralStore
import HouseholdAPI
import Hummingbird
import Sync

/// Central's errors in the shared JSON error form; each store error maps to one status and code.
enum CentralErrors {
    static var unauthorized: APIError {
        var error = APIError(
            .unauthorized, "unauthorized", "a valid node token is required: Authorization: Bearer <token> (unknown and revoked tokens are refused)")
        error.headers[.wwwAuthenticate] = #"Bearer realm="edge-central""#
        return error
    }

    static func translate(_ error: any Error) -> APIError? {
        guard let error = error as? CentralStoreError else { return nil }
        switch error {
        case .unavailable:
            var e = APIError(.serviceUnavailable, "database_unavailable", "the central database is unavailable; retry later")
            e.headers[.retryAfter] = "5"
            return e
        case .cursorUnknown: return APIError(.gone, "cursor_unknown", error.description)
        case .rewound: return APIError(.conflict, "central_rewound", error.description)
        case .wrongNode: return APIError(.forbidden, "wrong_node", error.description)
        case .forgedChange: return APIError(.forbidden, "forged_change", error.description)
        case .resyncNotOpen: return APIError(.forbidden, "resync_not_open", error.description)
        case .invalidChange: return APIError(.unprocessableContent, "invalid_change", error.description)
        case .invalidField(let field): return .invalidField(field.message)
        case .taskNotFound: return .notFound(error.description)
        case .taskConflict: return APIError(.conflict, "task_exists", error.description)
        case .nodeNotFound: return .notFound(error.description)
        case .nodeExists, .invalidNodeName: return APIError(.unprocessableContent, "invalid_node", error.description)
        case .invalidJoinToken:
            var e = APIError(.unauthorized, "invalid_join_token", error.description)
            e.headers[.wwwAuthenticate] = #"Bearer realm="edge-central-enroll""#
            return e
        case .nameNotAllowed: return APIError(.forbidden, "name_not_allowed", error.description)
        case .nodeEnrolled: return APIError(.conflict, "node_enrolled", error.description)
        case .joinTokenNotFound: return .notFound(error.description)
        case .invalidInput: return APIError(.badRequest, "bad_parameter", error.description)
        case .newerSchema: return APIError(.serviceUnavailable, "database_unavailable", error.description)
        case .sampleInFuture: return APIError(.unprocessableContent, "sample_in_future", error.description)
        }
    }
}
