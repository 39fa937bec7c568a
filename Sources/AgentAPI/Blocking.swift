import NIOPosix

/// Runs blocking work (SQLite, file reads) on NIO's thread pool, never on an event loop or the
/// cooperative pool, so one slow fsync does not stall every other request.
func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await NIOThreadPool.singleton.runIfActive(work)
}
