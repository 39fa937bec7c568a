/// The base URL of one of the household's Pis as phones reach it (`--peer-urls`,
/// `--advertise-url`), in the form browsers send as `Origin`: `scheme://host[:port]`, lowercase
/// scheme and host, no default port, no path.
public enum PeerURL {
    /// Exactly the texts ``normalise(_:)`` takes, as a JSON Schema (ECMA-262) pattern: the
    /// OpenAPI documents state it for every address field.
    public static let pattern =
        "^[hH][tT][tT][pP][sS]?://([A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\])"
        + "(:([1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?/?$"

    /// The normalised form of `text`, or nil when it is not an http(s) base URL.
    public static func normalise(_ text: String) -> String? {
        var rest = Substring(text.hasSuffix("/") ? String(text.dropLast()) : text)
        let scheme: String
        if rest.lowercased().hasPrefix("http://") {
            scheme = "http"
            rest = rest.dropFirst(7)
        } else if rest.lowercased().hasPrefix("https://") {
            scheme = "https"
            rest = rest.dropFirst(8)
        } else {
            return nil
        }
        // host: letters, digits, '.' and '-' (1-253), or an IPv6 literal in brackets; then an
        // optional :port (1-65535, no leading zero). Exactly the OpenAPI pattern of `url`.
        let host: Substring
        var port: Substring? = nil
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { return nil }
            host = rest[...close]
            let inner = host.dropFirst().dropLast()
            guard (2...45).contains(inner.utf8.count),
                inner.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x46).contains($0) || (0x61...0x66).contains($0) || $0 == 0x3A || $0 == 0x2E })
            else { return nil }
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                port = after.dropFirst()
            }
        } else {
            if let colon = rest.firstIndex(of: ":") {
                host = rest[..<colon]
                port = rest[rest.index(after: colon)...]
            } else {
                host = rest
            }
            guard (1...253).contains(host.utf8.count),
                host.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || $0 == 0x2E || $0 == 0x2D })
            else { return nil }
        }
        var portText: String?
        if let text = port {
            guard (1...5).contains(text.utf8.count), text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), text.first != "0",
                let n = Int(text), n <= 65535
            else { return nil }
            portText = (scheme == "http" && n == 80) || (scheme == "https" && n == 443) ? nil : String(n)
        }
        let hostText = host.lowercased()
        return scheme + "://" + hostText + (portText.map { ":" + $0 } ?? "")
    }
}
