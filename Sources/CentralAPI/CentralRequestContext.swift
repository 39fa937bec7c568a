import CentralStore
import Hummingbird

/// A request to central, and the node its token belongs to once authenticated.
public struct CentralRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var node: AuthenticatedNode?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.node = nil
    }

    /// The authenticated node; the auth middleware guarantees one on `/v1/*`.
    func requireNode() throws -> AuthenticatedNode {
        guard let node else { throw CentralErrors.unauthorized }
        return node
    }
}
