import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// Standard output and error, one write(2) per line: unbuffered, so a process killed right
/// after printing has still delivered what it printed.
public enum Output {
    public static func line(_ text: String) { write(fd: 1, text + "\n") }
    public static func error(_ text: String) { write(fd: 2, text + "\n") }
    /// A progress line for long work, on standard error.
    public static func progress(_ text: String) { write(fd: 2, text + "\n") }

    public static func write(fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            bytes = bytes.dropFirst(n)
        }
    }

    /// "1 change", "2 changes": a count with its noun in the right number.
    public static func count(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(n) " + (n == 1 ? singular : plural ?? singular + "s")
    }

    /// JSON a writer produced (``Sync/TaskItem/json()``, …), laid out as ``json(_:)`` lays it out.
    public static func json(bytes: [UInt8]) {
        line(JSONText.pretty(bytes))
    }

    public static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        line(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}
