import Sync
import TestSupport
import Testing

@testable import HostProbes

@Suite struct PrometheusExpositionTests {
    @Test func formatsIntegersWithoutExponent() {
        #expect(PrometheusExposition.formatValue(1_800_000_000) == "1800000000")
        #expect(PrometheusExposition.formatValue(68_447_887_360 * 1024) == "70090636656640")
        #expect(PrometheusExposition.formatValue(0) == "0")
        #expect(PrometheusExposition.formatValue(-0.0) == "0")
        #expect(PrometheusExposition.formatValue(-3) == "-3")
    }

    @Test func formatsFractionsSoTheyRoundTrip() {
        #expect(PrometheusExposition.formatValue(48.686) == "48.686")
        #expect(PrometheusExposition.formatValue(3812.04) == "3812.04")
        #expect(Double(PrometheusExposition.formatValue(0.1 + 0.2)) == 0.1 + 0.2)
        #expect(PrometheusExposition.formatValue(1e300) == "1e+300")
        #expect(PrometheusExposition.formatValue(.nan) == "NaN")
        #expect(PrometheusExposition.formatValue(.infinity) == "+Inf")
        #expect(PrometheusExposition.formatValue(-.infinity) == "-Inf")
    }

    /// The exposition writes integers digit by digit: the same text `formatValue` gives, for every kind of value.
    @Test func valuesAppendedAsBytesReadAsFormatted() {
        var values: [Double] = [
            0, -0.0, 1, -1, 9, 10, -10, 1_800_000_000, 9_007_199_254_740_991, -9_007_199_254_740_991, 9.007_199_254_740_992e15,
            -9.007_199_254_740_992e15, 1e16, 0.5, -0.5, 48.686, 1e-300, .nan, .infinity, -.infinity, .leastNonzeroMagnitude,
        ]
        var random = SeededRandom(seed: 0x0E_4905)
        for _ in 0..<5_000 {
            values.append(Double(Int64.random(in: -9_007_199_254_740_991...9_007_199_254_740_991, using: &random)))
            values.append(Double(Int64.random(in: -1_000_000...1_000_000, using: &random)) / 100)
            values.append(Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &random)))
        }
        for value in values {
            var bytes: [UInt8] = []
            PrometheusExposition.appendValue(value, to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == PrometheusExposition.formatValue(value), "\(value.bitPattern)")
        }
    }

    @Test func escapesLabelValuesAndHelp() {
        #expect(SeriesKey.escape("a\\b\"c\nd") == #"a\\b\"c\nd"#)
        #expect(PrometheusExposition.escapeHelp("a\\b\"c\nd") == #"a\\b"c\nd"#)
    }

    @Test func sortsFamiliesAndSamplesAndDropsEmptyOnes() {
        let families = [
            MetricFamily(name: "z_metric", help: "Z.", type: .gauge, samples: [Sample(["d": "b"], value: 2), Sample(["d": "a"], value: 1)]),
            MetricFamily(name: "a_metric", help: "A.", type: .counter, samples: [Sample(labels: [], value: 0.5)]),
            MetricFamily(name: "m_empty", help: "M.", type: .gauge, samples: []),
        ]
        #expect(
            PrometheusExposition.render(families) == """
                # HELP a_metric A.
                # TYPE a_metric counter
                a_metric 0.5
                # HELP z_metric Z.
                # TYPE z_metric gauge
                z_metric{d="a"} 1
                z_metric{d="b"} 2

                """)
    }

    @Test func dropsDuplicateSeries() {
        let family = MetricFamily(
            name: "x", help: "X.", type: .gauge, samples: [Sample(["d": "a"], value: 1), Sample(["d": "a"], value: 2)])
        #expect(PrometheusExposition.render([family, family]) == "# HELP x X.\n# TYPE x gauge\nx{d=\"a\"} 1\n")
    }

    @Test func emptyReadingRendersNothing() {
        #expect(PrometheusExposition.render(HardwareReading().metricFamilies) == "")
    }
}
