/// Node names identify replicas: they appear in clock stamps, task origins and metrics.
///
/// A Kubernetes node name (`rpi-worker-1`) or a host name is valid: 1–253 characters of
/// letters, digits, `-`, `_` and `.`. Anything else would make stamps ambiguous or unsafe to log.
public enum NodeName {
    public static func isValid(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 253 else { return false }
        return name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                return true
            default:
                return false
            }
        }
    }
}
