#if canImport(Glibc)
    import Glibc
#endif

/// Flag > environment variable > default, in one place.
public enum Settings {
    public static func resolve(flag: String?, env name: String, default fallback: () -> String) -> String {
        if let flag { return flag }
        if let value = environment(name), !value.isEmpty { return value }
        return fallback()
    }

    public static func environment(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }

    public static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)), as: UTF8.self)
        return name.isEmpty ? "localhost" : name
    }
}
