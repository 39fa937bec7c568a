extension HostRoot {
    /// The text of `path`, or nil with the reason appended to `problems`.
    func text(_ path: String, problems: inout [String]) -> String? {
        do {
            return try readText(path)
        } catch {
            problems.append(error.description)
            return nil
        }
    }

    /// A one-line attribute, or nil with the reason appended to `problems`.
    func attribute(_ path: String, problems: inout [String]) -> String? {
        do {
            return try readAttribute(path)
        } catch {
            problems.append(error.description)
            return nil
        }
    }

    /// Names in `directory` of the form `<prefix><number>` (`thermal_zone0`, `cpu12`), in numeric order.
    func numberedEntries(_ directory: String, prefix: String) throws(HostRootError) -> [(name: String, number: Int)] {
        try listDirectory(directory).compactMap { name -> (name: String, number: Int)? in
            guard name.hasPrefix(prefix), let number = TextParsing.unsigned(name.dropFirst(prefix.count)),
                number <= UInt64(Int32.max)
            else { return nil }
            return (name, Int(number))
        }
        .sorted { $0.number < $1.number }
    }
}

extension Array where Element == String {
    /// Prefixes each problem with the file it came from.
    func prefixed(_ path: String) -> [String] { map { "\(path): \($0)" } }
}
