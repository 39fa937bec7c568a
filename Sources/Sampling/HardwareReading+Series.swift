import HostProbes
import Sync

extension HardwareReading {
    /// Every sample of the reading as a stored series value.
    public var seriesValues: [SeriesKey: Double] {
        // Families have distinct names, so their order cannot change the result: skip the sort.
        let families = unsortedMetricFamilies
        var values: [SeriesKey: Double] = [:]
        values.reserveCapacity(families.reduce(0) { $0 + $1.samples.count })
        for family in families {
            for sample in family.samples {
                values[SeriesKey(family.name, sample.labels.map { SeriesLabel($0.name, $0.value) })] = sample.value
            }
        }
        return values
    }
}
