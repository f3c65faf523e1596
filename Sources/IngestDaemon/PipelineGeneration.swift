import CoreMetrics
import Dispatch
import IngestCore

/// The stages and the sink that documents claimed since the last reload go through. A document
/// keeps the generation it started on until it is acknowledged, so a reload never moves a
/// document in flight onto other stages.
final class PipelineGeneration: Sendable {
    let stages: [any Stage]
    /// `stages[i]` when it runs without waiting, so the worker calls it without a task hop.
    let synchronous: [(any SynchronousStage)?]
    let sink: any RecordSink
    /// `stageLatency[i]` times `stages[i]`: made with the generation, since a reload may add,
    /// remove or reorder stages (a stage's series carries on under its name).
    let stageLatency: [Timer]
    /// Documents started on this generation and not yet settled.
    let inFlight = DispatchGroup()

    init(stages: [any Stage], sink: any RecordSink, metrics: RunnerMetrics) {
        self.stages = stages
        self.synchronous = stages.map { $0 as? any SynchronousStage }
        self.sink = sink
        self.stageLatency = metrics.stageTimers(stages.map(\.name))
    }

    func timeStage(_ index: Int, since start: UInt64) {
        stageLatency[index].recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds &- start))
    }
}
