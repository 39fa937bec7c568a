import Hummingbird

/// Cross-origin requests from the pages of the household's other Pis (`HouseholdPeers`), so
/// that a page whose own Pi stopped answering can carry on with another: Hummingbird's
/// `CORSMiddleware` for those origins, nothing for any other (a web page elsewhere gets no
/// CORS headers, so the browser keeps it from reading or writing the household's tasks).
struct PeerCORSMiddleware<Context: RequestContext>: RouterMiddleware {
    let peers: PeerDirectory
    let cors = CORSMiddleware<Context>(
        allowOrigin: .originBased,
        allowHeaders: [.accept, .authorization, .contentType, .ifNoneMatch],
        allowMethods: [.get, .post, .patch, .delete, .options],
        exposedHeaders: ["ETag", "Location"],
        maxAge: .seconds(600))

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], peers.allows(origin: origin) else {
            return try await next(request, context)
        }
        var response = try await cors.handle(request, context: context, next: next)
        // Hummingbird sends Access-Control-Expose-Headers with the preflight only; the browser
        // reads it from the response itself (the page's polls need ETag).
        if request.method != .options { response.headers[.accessControlExposeHeaders] = "ETag, Location" }
        return response
    }
}
