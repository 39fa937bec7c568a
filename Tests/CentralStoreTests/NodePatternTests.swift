import CentralStore
import Testing

@Suite struct NodePatternTests {
    @Test(arguments: [
        ("rpi-*", "rpi-worker-1", true), ("rpi-*", "rpi-", true), ("rpi-*", "kitchen", false),
        ("rpi-?", "rpi-1", true), ("rpi-?", "rpi-12", false), ("*", "anything.local", true),
        ("*-worker-*", "rpi-worker-3", true), ("*-worker-*", "rpi-worker", false), ("a*b*c", "aXXbYYc", true),
        ("a*b*c", "aXXbYY", false), ("exact", "exact", true), ("exact", "exact2", false), ("**", "", true),
    ])
    func matchesTheWholeName(pattern: String, name: String, expected: Bool) {
        #expect(NodePattern.matches(pattern, name) == expected)
    }

    @Test func patternsUseNodeNameCharactersOnly() {
        #expect(NodePattern.isValid("rpi-*"))
        #expect(NodePattern.isValid("*"))
        #expect(!NodePattern.isValid(""))
        #expect(!NodePattern.isValid("rpi worker*"))
        #expect(!NodePattern.isValid("rpi/*"))
        #expect(!NodePattern.isValid(String(repeating: "a", count: 254)))
    }
}
