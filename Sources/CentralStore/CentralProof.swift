import Crypto

/// Central's proof that it took a change into its feed (from the node that stamped it, or as
/// its own household edit): HMAC-SHA256 of the change's canonical JSON
/// (``Sync/TaskChange/json()``) under the key in `central_secret`, as lowercase hex.
///
/// Every pulled change comes with its proof; agents keep those of other replicas' changes.
/// After central is restored from a backup, the other replicas may hold the only copy of
/// changes it had taken since (its own household edits, or a node's that was itself restored
/// since), and a resync snapshot carries them back: central takes a change stamped by another
/// node than the pushing one only with a proof that verifies, so no node can write as another
/// node, or as `central`.
public enum CentralProof {
    public static func sign(_ json: [UInt8], key: [UInt8]) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: json, using: SymmetricKey(data: key))
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in code {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0xf)])
        }
        return String(decoding: hex, as: UTF8.self)
    }

    public static func verify(_ json: [UInt8], proof: String, key: [UInt8]) -> Bool {
        guard proof.utf8.count == 64, let bytes = hexBytes(proof) else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(bytes, authenticating: json, using: SymmetricKey(data: key))
    }

    static func hexBytes(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        var high: UInt8?
        for c in text.utf8 {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c - UInt8(ascii: "a") + 10
            default: return nil
            }
            if let h = high {
                out.append(h << 4 | v)
                high = nil
            } else {
                high = v
            }
        }
        return high == nil ? out : nil
    }
}
