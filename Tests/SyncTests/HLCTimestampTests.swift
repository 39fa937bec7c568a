import Sync
import TestSupport
import Testing

@Suite struct HLCTimestampTests {
    @Test func textFormRoundTrips() {
        let stamp = HLCTimestamp(physical: 1_763_788_800_123, counter: 42, node: "rpi-worker-1")
        #expect(stamp.description == "019aaa01407b-002a-rpi-worker-1")
        #expect(HLCTimestamp(stamp.description) == stamp)
    }

    @Test func textOrderEqualsStampOrder() {
        var random = SeededRandom(seed: 7)
        let nodes = ["a", "b", "rpi-worker-1", "rpi-worker-10", "rpi-worker-2"]
        for _ in 0..<2000 {
            let x = HLCTimestamp(
                physical: Int64.random(in: 0...5, using: &random) * 1_000_000_000_000 / 7,
                counter: UInt16.random(in: 0...3, using: &random), node: nodes.randomElement(using: &random)!)
            let y = HLCTimestamp(
                physical: Int64.random(in: 0...5, using: &random) * 1_000_000_000_000 / 7,
                counter: UInt16.random(in: 0...3, using: &random), node: nodes.randomElement(using: &random)!)
            #expect((x < y) == (x.description < y.description), "\(x) vs \(y)")
        }
    }

    @Test(arguments: ["", "xyz", "019aa9d9d47b-002a-", "019aa9d9d47b_002a_node", "019AA9D9D47B-002a-n", "019aa9d9d47b-002a-bad name"])
    func rejectsMalformedText(_ text: String) {
        #expect(HLCTimestamp(text) == nil)
    }

    @Test func nodeNameBreaksTies() {
        let a = HLCTimestamp(physical: 5, counter: 1, node: "rpi-a")
        let b = HLCTimestamp(physical: 5, counter: 1, node: "rpi-b")
        #expect(a < b)
        #expect(!(b < a))
    }
}
