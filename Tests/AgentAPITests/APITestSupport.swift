import AgentAPI
import Foundation
import HostProbes
import Hummingbird
import HummingbirdTesting
import LocalStore
import Sampling
import Sync
import TestSupport
import Testing

/// An agent API over a fresh store, with a Pi 4 fixture reading already taken.
struct TestAgent {
    let dir = TemporaryDirectory()
    let store: LocalStore
    var environment: AgentAPI.Environment
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").path
    static let t0: Int64 = 1_763_788_800_000

    init(
        token: String? = nil, reading: Bool = true, ready: Bool = true, hardLimitBytes: Int64? = nil,
        hostRoot: String = Self.fixtures + "/rpi4", collectors: CollectorSelection = .all
    ) throws {
        var configuration = LocalStore.Configuration(nodeName: "rpi-worker-1")
        configuration.hardLimitBytes = hardLimitBytes
        store = try LocalStore(directory: dir.path, configuration: configuration)
        let latest = LatestReading()
        if reading {
            let reader = HardwareReader(
                root: HostRoot(Self.fixtures + "/rpi4"), filesystemStatistics: StubFilesystemStatistics { _ in nil },
                clock: FixedClockSynchronization(true))
            let r = reader.read()
            latest.set(r, takenAt: Self.t0)
            try store.record(MetricReading(timestamp: Self.t0, clockSynchronized: true, values: r.seriesValues))
            try store.record(MetricReading(timestamp: Self.t0 + 15_000, clockSynchronized: true, values: r.seriesValues))
        }
        let readiness = Readiness()
        if ready { readiness.set(.ready) }
        let scrapeReader = HardwareReader(
            root: HostRoot(hostRoot), filesystemStatistics: StubFilesystemStatistics { _ in nil }, clock: FixedClockSynchronization(true),
            cachePeriod: .zero, nodeName: "rpi-worker-1")
        environment = AgentAPI.Environment(
            store: store, latest: latest, readiness: readiness, sync: StandaloneSync(store: store), nodeName: "rpi-worker-1",
            version: "9.9.9", startedAt: Self.t0, wallClock: .fixed(Self.t0 + 30_000), apiToken: token.map(APIToken.fixed),
            scrapeHardware: { scrapeReader.scrape(collectors).families })
    }

    var application: some ApplicationProtocol {
        Application(router: AgentAPI.router(environment, logRequests: false))
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:] }
    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    var errorMessage: String? { (json["error"] as? [String: Any])?["message"] as? String }
}

let jsonHeaders: HTTPFields = [.contentType: "application/json"]

func body(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }
