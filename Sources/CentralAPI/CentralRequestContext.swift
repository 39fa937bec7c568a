import CentralStore
import Hummingbird
import NIOCore

/// A request to central, and the node its token belongs to once authenticated.
public struct CentralRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public var node: AuthenticatedNode?
    /// The client's address, for rate limiting failed authentications.
    public let remoteAddress: SocketAddress?

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.node = nil
        self.remoteAddress = source.channel.remoteAddress
    }

    /// The authenticated node; the auth middleware guarantees one on `/v1/*`.
    func requireNode() throws -> AuthenticatedNode {
        guard let node else { throw CentralErrors.unauthorized }
        return node
    }
}
