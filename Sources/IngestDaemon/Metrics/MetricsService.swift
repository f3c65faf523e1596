import IngestCore
import ServiceLifecycle

/// The metrics endpoint and the status file as a service of the daemon's group. The socket is
/// bound at start-up (a port already taken refuses the start, with its address); this service
/// owns the rest of their life. The group stops it after the pipeline, so `/metrics` and the
/// status file still tell what the drain is doing, and their last figures are the final ones.
struct MetricsService: Service {
    let metrics: DaemonMetrics
    let status: StatusReporter

    func run() async throws {
        try? await gracefulShutdown()
        status.stop()
        metrics.stop()
    }
}
