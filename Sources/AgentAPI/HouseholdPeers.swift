import Sync
import Synchronization

/// The household's other Pis, as phones reach them (`--peer-urls`): the page lists them from
/// `GET /v1/peers` and switches to one when its own Pi stops answering, and this agent answers
/// cross-origin requests from their pages (and only theirs: `PeerCORSMiddleware`). Those learned
/// from central join them in ``PeerDirectory``.
public struct HouseholdPeers: Sendable, Equatable {
    /// Base URLs, `http(s)://host[:port]`, as configured (normalised: lowercase scheme and host,
    /// no default port, no trailing slash).
    public let urls: [String]

    public init(urls: [String] = []) { self.urls = urls }

    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// A comma-separated list of base URLs (`http://192.168.1.11:8080,http://pi-c.local:8080`).
    public static func parse(_ text: String) throws(ParseError) -> HouseholdPeers {
        var urls: [String] = []
        for entry in text.split(separator: ",") {
            let raw = entry.trimmingSpaces
            if raw.isEmpty { continue }
            guard let url = PeerURL.normalise(raw) else {
                throw ParseError(
                    description: "\"\(raw.prefix(80))\" is not a base URL such as http://192.168.1.11:8080 (http or https, a host, an optional port, no path)")
            }
            if !urls.contains(url) { urls.append(url) }
        }
        guard urls.count <= 32 else { throw ParseError(description: "at most 32 peers") }
        return HouseholdPeers(urls: urls)
    }

    /// Whether a page served from `origin` (a request's `Origin` header) belongs to the household.
    public func allows(origin: String) -> Bool {
        guard let normalised = PeerURL.normalise(origin) else { return false }
        return urls.contains(normalised)
    }

}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}

/// The household's other Pis as this agent knows them: the configured ones (`--peer-urls`),
/// then those learned from central (`--advertise-url` on each Pi), kept in memory and
/// replaced at every sync cycle that reaches central.
public final class PeerDirectory: Sendable {
    public let configured: HouseholdPeers
    private let learned = Mutex<[String]>([])

    public init(configured: HouseholdPeers = HouseholdPeers()) { self.configured = configured }

    public func learn(_ urls: [String]) { learned.withLock { $0 = urls } }

    /// Configured first, then learned, without repeats.
    public var urls: [String] {
        let extra = learned.withLock { $0 }
        return configured.urls + extra.filter { !configured.urls.contains($0) }
    }

    public func allows(origin: String) -> Bool {
        guard let normalised = PeerURL.normalise(origin) else { return false }
        return urls.contains(normalised)
    }
}
