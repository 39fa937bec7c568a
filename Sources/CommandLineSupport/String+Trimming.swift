extension String {
    /// The string without leading and trailing whitespace (FoundationEssentials has no
    /// `trimmingCharacters(in:)`).
    public var trimmingSpaces: String {
        var s = Substring(self)
        while let c = s.first, c.isWhitespace { s.removeFirst() }
        while let c = s.last, c.isWhitespace { s.removeLast() }
        return String(s)
    }
}
