/// The household's other Pis, as phones reach them (`--peer-urls`): the page lists them from
/// `GET /v1/peers` and switches to one when its own Pi stops answering, and this agent answers
/// cross-origin requests from their pages (and only theirs: `PeerCORSMiddleware`).
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
            guard let url = origin(of: raw) else {
                throw ParseError(description: "\"\(raw.prefix(80))\" is not a base URL such as http://192.168.1.11:8080 (http or https, a host, an optional port, no path)")
            }
            if !urls.contains(url) { urls.append(url) }
        }
        guard urls.count <= 32 else { throw ParseError(description: "at most 32 peers") }
        return HouseholdPeers(urls: urls)
    }

    /// Whether a page served from `origin` (a request's `Origin` header) belongs to the household.
    public func allows(origin: String) -> Bool {
        guard let normalised = Self.origin(of: origin) else { return false }
        return urls.contains(normalised)
    }

    /// `scheme://host[:port]` in the form browsers send as `Origin`, or nil.
    static func origin(of text: String) -> String? {
        var rest = Substring(text.hasSuffix("/") ? String(text.dropLast()) : text)
        let scheme: String
        if rest.lowercased().hasPrefix("http://") { scheme = "http"; rest = rest.dropFirst(7) }
        else if rest.lowercased().hasPrefix("https://") { scheme = "https"; rest = rest.dropFirst(8) }
        else { return nil }
        guard !rest.isEmpty, rest.utf8.count <= 260,
              rest.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && !"/?#@\\\"<>".unicodeScalars.contains($0) })
        else { return nil }
        var host = rest.lowercased()
        var port: String?
        if let colon = host.lastIndex(of: ":"), !host.hasSuffix("]") {
            port = String(host[host.index(after: colon)...])
            host = String(host[..<colon])
        }
        guard !host.isEmpty else { return nil }
        if let p = port {
            guard let n = Int(p), (1...65535).contains(n), p.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
            port = (scheme == "http" && n == 80) || (scheme == "https" && n == 443) ? nil : String(n)
        }
        return scheme + "://" + host + (port.map { ":" + $0 } ?? "")
    }
}

private extension Substring {
    var trimmingSpaces: String {
        String(drop(while: { $0 == " " }).reversed().drop(while: { $0 == " " }).reversed())
    }
}
