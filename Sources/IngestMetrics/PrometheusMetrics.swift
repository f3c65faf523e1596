import CoreMetrics
import Prometheus

/// One Prometheus registry for one run of the daemon, and the swift-metrics factory that
/// fills it. Made per run (never `MetricsSystem.bootstrap`, which a process can do once): the
/// runner and the sources are handed `factory`, and `/metrics` renders `registry`.
public final class PrometheusMetrics: Sendable {
    /// The stage latency histogram's name: its buckets span 0.1 ms to 10 s.
    public static let stageLatency = "ingestd_stage_latency_seconds"
    public static let latencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5), .milliseconds(5),
        .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
        .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
    ]

    public let registry: PrometheusCollectorRegistry
    public let factory: any MetricsFactory

    public init() {
        registry = PrometheusCollectorRegistry()
        var f = PrometheusMetricsFactory(registry: registry)
        f.defaultDurationHistogramBuckets = Self.latencyBuckets
        factory = f
    }

    /// The text exposition format, version 0.0.4.
    public func exposition() -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 1024)
        registry.emit(into: &buffer)
        return buffer
    }

    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}
