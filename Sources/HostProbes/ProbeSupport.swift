extension Array where Element == String {
    /// Prefixes each problem with the file it came from.
    func prefixed(_ path: String) -> [String] { map { "\(path): \($0)" } }
}
