import CoreMetrics
import Foundation
import IngestCore

/// The gauges that describe a moment rather than count events: queue depth, documents in
/// flight, index sizes, stage readiness and every configured URL's health. They are set just
/// before each scrape, from the runner and the sources, so the document path never touches them.
final class ScrapeGauges: Sendable {
    private let factory: any MetricsFactory
    private let runner: PipelineRunner
    private let queueDepth: Gauge
    private let inFlight: Gauge
    /// By "stage index" for the index sizes, and by URL and figure for the sources; made the
    /// first time each is set (a reload may add stages and URLs).
    private let made = Locked<[String: Gauge]>([:])

    init(runner: PipelineRunner, factory: any MetricsFactory) {
        self.factory = factory
        self.runner = runner
        queueDepth = Gauge(label: "ingestd_queue_depth", factory: factory)
        inFlight = Gauge(label: "ingestd_in_flight", factory: factory)
    }

    func refresh(now: Date = Date()) {
        queueDepth.record(runner.queued)
        inFlight.record(runner.snapshot.inFlight)
        // By name, made as seen: a reload may add, remove or reorder stages.
        for stage in runner.stages {
            gauge("ingestd_stage_ready", [("stage", stage.name)]).record(stage.health == .ready ? 1 : 0)
            if let indexed = stage as? any IndexedStage {
                for (index, entries) in indexed.indexEntries {
                    gauge("ingestd_dedupe_index_entries", [("stage", stage.name), ("index", index)]).record(entries)
                }
            }
        }
        for h in runner.source.health {
            let labels = [("url", h.url), ("host", h.host)]
            gauge("ingestd_source_consecutive_failures", labels).record(h.consecutiveFailures)
            gauge("ingestd_source_items_per_day", labels).record(h.itemsPerDay)
            // Absent times are -1 rather than 0: 0 would read as 1970 in a dashboard's "time since".
            gauge("ingestd_source_last_attempt_timestamp_seconds", labels).record(h.lastAttempt?.timeIntervalSince1970 ?? -1)
            gauge("ingestd_source_last_success_timestamp_seconds", labels).record(h.lastSuccess?.timeIntervalSince1970 ?? -1)
            gauge("ingestd_source_newest_item_age_seconds", labels).record(h.secondsSinceNewestItem(at: now) ?? -1)
            // The HTTP status of the last answer; 0 when the last attempt got none.
            gauge("ingestd_source_last_status", labels).record(h.lastStatus.flatMap { Int($0) } ?? 0)
        }
    }

    private func gauge(_ name: String, _ labels: [(String, String)]) -> Gauge {
        let key = name + labels.map { "\u{1}" + $0.1 }.joined()
        return made.withLock { m in
            if let g = m[key] { return g }
            let g = Gauge(label: name, dimensions: labels, factory: factory)
            m[key] = g
            return g
        }
    }
}
