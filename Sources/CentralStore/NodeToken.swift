import Crypto

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A node's secret: `edge1_` and 32 random bytes in base64url. Central stores only its
/// SHA-256, so a copy of the database does not reveal any token.
public enum NodeToken {
    /// A new secret: `prefix` and 43 base64url characters (256 random bits). Node tokens
    /// are `edge1_…`, join tokens `edgejoin1_…`.
    public static func generate(prefix: String = "edge1_") -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let base64 = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return prefix + base64
    }

    public static func hash(_ token: String) -> [UInt8] {
        Array(SHA256.hash(data: Array(token.utf8)))
    }
}
