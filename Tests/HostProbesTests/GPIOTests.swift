import Testing

@testable import HostProbes

@Suite struct GPIOTests {
    @Test func parsesChipLabelAndOffset() throws {
        let spec = try GPIOLineSpec.parse("chip=pinctrl-bcm2711,line=17,name=door")
        #expect(spec == GPIOLineSpec(chip: "pinctrl-bcm2711", line: .offset(17), name: "door"))
    }

    @Test func parsesChipNameAndLineName() throws {
        let spec = try GPIOLineSpec.parse(" line = GPIO17 , chip=gpiochip0 ")
        #expect(spec == GPIOLineSpec(chip: "gpiochip0", line: .name("GPIO17"), name: "GPIO17"))
    }

    @Test func rejectsBadSpecs() {
        for text in [
            "", "chip=gpiochip0", "line=17", "chip=a,line=17,name=x,name=y", "chip=a,line=17,pin=3",
            "chip=,line=1", "chip=a,line=99999", "chip=a;line=1", "chip=a,line",
        ] {
            #expect(throws: GPIOLineSpecError.self, "\(text)") { try GPIOLineSpec.parse(text) }
        }
    }

    @Test func parsesLists() throws {
        let specs = try GPIOLineSpec.parseList("chip=pinctrl-rp1,line=GPIO17,name=door;\nchip=gpiochip0,line=27,name=garage\n")
        #expect(specs.map(\.name) == ["door", "garage"])
        #expect(try GPIOLineSpec.parseList("  ").isEmpty)
        #expect(throws: GPIOLineSpecError.self) { try GPIOLineSpec.parseList("chip=a,line=1,name=x;chip=b,line=2,name=x") }
    }

    @Test func exportsLineValues() throws {
        let specs = try GPIOLineSpec.parseList("chip=pinctrl-bcm2711,line=17,name=door;chip=pinctrl-bcm2711,line=4,name=bell")
        let parsed = GPIOLineValue.read(specs, using: FakeGPIOReader(["door": 1]))
        #expect(parsed.value == [GPIOLineValue(chip: "pinctrl-bcm2711", line: "17", name: "door", value: 1)])
        #expect(parsed.problems == ["chip=pinctrl-bcm2711,line=4,name=bell: FakeGPIOReader has no value for bell"])
        let family = GPIOLineValue.metricFamilies(parsed.value)[0]
        #expect(family.name == "edge_gpio_line_value")
        #expect(family.samples[0].labels.map(\.name) == ["chip", "line", "name"])
    }

    @Test func refusesValuesOtherThanZeroOrOne() throws {
        let specs = try GPIOLineSpec.parseList("chip=a,line=1,name=x")
        #expect(GPIOLineValue.read(specs, using: FakeGPIOReader(["x": 7])).value.isEmpty)
    }

    @Test func noConfiguredLinesNeverCallsTheReader() {
        #expect(GPIOLineValue.read([], using: UnavailableGPIOReader()).problems.isEmpty)
    }
}
