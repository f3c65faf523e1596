import CoreMetrics
import Dispatch
import IngestCore

/// The runner's counters and histograms, made once when the runner is built so that a document
/// costs a few atomic adds and one histogram update per stage, with no label built on its way.
/// Reasons of drops and rejections are a small set: their counters are made the first time each
/// is seen.
public final class RunnerMetrics: Sendable {
    public static let received = "ingestd_documents_received_total"
    public static let recorded = "ingestd_records_written_total"
    public static let recordBytes = "ingestd_records_bytes_total"
    public static let dropped = "ingestd_documents_dropped_total"
    public static let rejected = "ingestd_documents_rejected_total"

    let factory: any MetricsFactory
    /// By source kind: `drop_folder` (or `files` for `ingestd once`) and `urls`.
    private let receivedFiles: Counter
    private let receivedWeb: Counter
    let recordsWritten: Counter
    let recordsBytes: Counter
    private let droppedBy = Locked<[String: Counter]>([:])
    private let rejectedBy = Locked<[String: Counter]>([:])

    /// - Parameter fileSource: the label of documents that were not fetched.
    public init(factory: any MetricsFactory, fileSource: String = "drop_folder") {
        self.factory = factory
        receivedFiles = Counter(label: Self.received, dimensions: [("source", fileSource)], factory: factory)
        receivedWeb = Counter(label: Self.received, dimensions: [("source", "urls")], factory: factory)
        recordsWritten = Counter(label: Self.recorded, factory: factory)
        recordsBytes = Counter(label: Self.recordBytes, factory: factory)
    }

    /// Metrics that go nowhere: `ingestd once`, tests, a pipeline without `metrics:`.
    public static func none() -> RunnerMetrics {
        RunnerMetrics(factory: NOOPMetricsHandler.instance)
    }

    /// One latency histogram per stage, by name (the registry hands back the same series for a
    /// name it has seen, so a stage kept across a reload keeps counting where it was).
    func stageTimers(_ names: [String]) -> [Timer] {
        names.map { Timer(label: "ingestd_stage_latency_seconds", dimensions: [("stage", $0)], factory: factory) }
    }

    func received(_ claim: Claim) {
        (claim.web == nil ? receivedFiles : receivedWeb).increment()
    }

    func dropped(reason: String) { counter(Self.dropped, reason: reason, in: droppedBy).increment() }
    func rejected(reason: String) { counter(Self.rejected, reason: reason, in: rejectedBy).increment() }

    private func counter(_ name: String, reason: String, in cache: Locked<[String: Counter]>) -> Counter {
        cache.withLock { counters in
            if let c = counters[reason] { return c }
            let c = Counter(label: name, dimensions: [("reason", reason)], factory: factory)
            counters[reason] = c
            return c
        }
    }
}
