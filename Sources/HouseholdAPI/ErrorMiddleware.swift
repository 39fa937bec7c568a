import Hummingbird
import Logging

/// Turns every error into the API's JSON error form. Client mistakes get their 4xx; anything
/// unexpected is logged and answered with a 500 that reveals nothing internal.
public struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteTable
    /// Maps a storage layer's own errors to API errors (nil: not one of them).
    let translate: @Sendable (any Error) -> APIError?
    let serviceName: String

    public init(routes: RouteTable, serviceName: String, translate: @escaping @Sendable (any Error) -> APIError? = { _ in nil }) {
        self.routes = routes
        self.serviceName = serviceName
        self.translate = translate
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            if error.status == .notFound, let allowed = routes.methods(for: request.uri.path) {
                var notAllowed = APIError(
                    .methodNotAllowed, "method_not_allowed", "\(request.uri.path) accepts \(allowed.map(\.rawValue).joined(separator: ", "))")
                notAllowed.headers[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
                throw notAllowed
            }
            throw Self.map(error)
        } catch {
            if let mapped = translate(error) {
                if mapped.status == .internalServerError {
                    context.logger.error("storage error", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
                }
                throw mapped
            }
            context.logger.error("unexpected error", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            throw APIError(.internalServerError, "internal", "the \(serviceName) could not complete the request")
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
