import Foundation
import Testing

@testable import HostProbes

@Suite struct FormatTests {
    @Test func roundsToFixedDecimals() {
        #expect(Format.fixed(48.686, 1) == "48.7")
        #expect(Format.fixed(0.5, 2) == "0.50")
        #expect(Format.fixed(2978, 0) == "2978")
        #expect(Format.fixed(-0.04, 1) == "0.0")
        #expect(Format.fixed(-1.25, 1) == "-1.3")
    }

    @Test func usesBinaryUnitsForBytes() {
        #expect(Format.bytes(0) == "0 B")
        #expect(Format.bytes(1024) == "1.0 KiB")
        #expect(Format.bytes(3_978_678_272) == "3.7 GiB")
    }

    @Test func scalesHertz() {
        #expect(Format.hertz(1_800_000_000) == "1.80 GHz")
        #expect(Format.hertz(600_000_000) == "600 MHz")
    }

    @Test func jsonUsesSnakeCaseAndLeavesUnknownsOut() throws {
        let reading = HardwareReading(
            clockSynchronized: false, throttling: Throttling(raw: 0x50005), underVoltageAlarm: nil,
            memory: MemoryInfo.parse("MemTotal: 4 kB\n").value)
        let object = try #require(try JSONSerialization.jsonObject(with: reading.jsonData(node: "n1")) as? [String: Any])
        #expect(object["clock_synchronized"] as? Bool == false)
        #expect(object["under_voltage_alarm"] == nil)
        #expect((object["memory"] as? [String: Any])?["total_bytes"] as? Int == 4096)
        let throttling = try #require(object["throttling"] as? [String: Any])
        #expect(throttling["raw"] as? String == "0x50005")
        #expect((throttling["since_boot"] as? [String: Any])?["under_voltage"] as? Bool == true)
    }
}
