import HostProbes
import Sync

extension HardwareReading {
    /// Every sample of the reading as a stored series value.
    public var seriesValues: [SeriesKey: Double] {
        var values: [SeriesKey: Double] = [:]
        for family in metricFamilies {
            for sample in family.samples {
                values[SeriesKey(family.name, sample.labels.map { SeriesLabel($0.name, $0.value) })] = sample.value
            }
        }
        return values
    }
}
