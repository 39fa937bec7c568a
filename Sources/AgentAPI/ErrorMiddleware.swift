import Hummingbird
import LocalStore
import Logging

/// Turns every error into the API's JSON error form. Client mistakes get their 4xx; anything
/// unexpected is logged and answered with a 500 that reveals nothing internal.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as LocalStoreError {
            let mapped = APIError(error)
            if mapped.status == .internalServerError {
                context.logger.error("store error", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            }
            throw mapped
        } catch let error as HTTPError {
            if error.status == .notFound, let allowed = Routes.methods(for: request.uri.path) {
                var notAllowed = APIError(.methodNotAllowed, "method_not_allowed", "\(request.uri.path) accepts \(allowed.map(\.rawValue).joined(separator: ", "))")
                notAllowed.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
                throw notAllowed
            }
            throw Self.map(error)
        } catch {
            context.logger.error("unexpected error", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            throw APIError(.internalServerError, "internal", "the agent could not complete the request")
        }
    }

    static func map(_ error: HTTPError) -> APIError {
        switch error.status {
        case .notFound: .notFound("no such path")
        case .methodNotAllowed: APIError(.methodNotAllowed, "method_not_allowed", "this path does not accept that method")
        case .contentTooLarge: .bodyTooLarge
        case .badRequest: .malformedJSON(error.body ?? "the request could not be read")
        case .unsupportedMediaType: .unsupportedMediaType
        default: APIError(error.status, "http_\(error.status.code)", error.body ?? error.status.reasonPhrase)
        }
    }
}
