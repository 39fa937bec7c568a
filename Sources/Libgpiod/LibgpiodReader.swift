import CGPIOD
import HostProbes

#if canImport(Glibc)
    import Glibc
#endif

/// Reads GPIO lines through the system libgpiod, v1 API (Debian 12 ships 1.6).
///
/// Chips are found by label (`pinctrl-bcm2711`, `pinctrl-rp1`), name (`gpiochip0`), number or
/// path, so the same configuration works on a Pi 4 and a Pi 5 whose chip numbers differ. Lines
/// are requested "as is": reading never changes a line's direction. All v1 calls live in this
/// file; a libgpiod 2 build replaces only this type.
public struct LibgpiodReader: GPIOReader {
    /// Shown as the consumer in `gpioinfo` while a line is being read.
    public var consumer: String

    public init(consumer: String = "edge-agent") {
        self.consumer = consumer
    }

    public func read(_ lines: [GPIOLineSpec]) -> [GPIOLineSpec: Result<Int, GPIOReadError>] {
        var results: [GPIOLineSpec: Result<Int, GPIOReadError>] = [:]
        for (chipName, specs) in Dictionary(grouping: lines, by: \.chip) {
            guard let chip = gpiod_chip_open_lookup(chipName) else {
                let reason = errno == ENOENT ? "not found" : String(cString: strerror(errno))
                for spec in specs { results[spec] = .failure(GPIOReadError("GPIO chip \"\(chipName)\": \(reason)")) }
                continue
            }
            defer { gpiod_chip_close(chip) }
            for spec in specs { results[spec] = readLine(spec, on: chip, chipName: chipName) }
        }
        return results
    }

    private func readLine(_ spec: GPIOLineSpec, on chip: OpaquePointer, chipName: String) -> Result<Int, GPIOReadError> {
        let line: OpaquePointer?
        switch spec.line {
        case .offset(let offset): line = gpiod_chip_get_line(chip, offset)
        case .name(let name): line = gpiod_chip_find_line(chip, name)
        }
        guard let line else {
            return .failure(GPIOReadError("GPIO line \(spec.line) on chip \"\(chipName)\": not found"))
        }
        let value: Int32 = consumer.withCString { consumerName in
            var config = gpiod_line_request_config(
                consumer: consumerName, request_type: Int32(GPIOD_LINE_REQUEST_DIRECTION_AS_IS), flags: 0)
            guard gpiod_line_request(line, &config, 0) == 0 else { return -1 }
            defer { gpiod_line_release(line) }
            return gpiod_line_get_value(line)
        }
        guard value >= 0 else {
            return .failure(GPIOReadError("GPIO line \(spec.line) on chip \"\(chipName)\": \(String(cString: strerror(errno)))"))
        }
        return .success(Int(value))
    }
}
