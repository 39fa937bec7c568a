import HouseholdAPI
import Hummingbird

/// Where the API token comes from: fixed, or a file read again whenever it changes.
/// `nil` from `current` means the token file is gone or unusable, and every request is
/// refused (the API fails closed, never open).
public struct APIToken: Sendable {
    public let current: @Sendable () -> [UInt8]?

    public init(current: @escaping @Sendable () -> [UInt8]?) { self.current = current }

    public static func fixed(_ token: String) -> APIToken {
        let bytes = Array(token.utf8)
        return APIToken { bytes }
    }
}

/// With `--api-token-file`, every `/v1/*` request needs `Authorization: Bearer <token>`.
/// The comparison takes the same time wherever the tokens differ.
struct BearerAuthMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: APIToken

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let expected = token.current(),
            let header = request.headers[.authorization], header.count > 7,
            header.prefix(7).lowercased() == "bearer ",
            Self.constantTimeEqual(Array(header.dropFirst(7).utf8), expected)
        else { throw APIError.unauthorized }
        return try await next(request, context)
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(truncatingIfNeeded: a.count ^ b.count)
        for i in 0..<max(a.count, b.count) {
            difference |= (i < a.count ? a[i] : 0) ^ (i < b.count ? b[i] : 0)
        }
        return difference == 0
    }
}
