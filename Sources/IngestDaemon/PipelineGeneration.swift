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
    /// Documents started on this generation and not yet settled.
    let inFlight = DispatchGroup()

    init(stages: [any Stage], sink: any RecordSink) {
        self.stages = stages
        self.synchronous = stages.map { $0 as? any SynchronousStage }
        self.sink = sink
    }
}
