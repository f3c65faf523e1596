/// Every kind of source, stage and sink a pipeline file may name, handed to the loader and the
/// daemon by the program that assembles them (`ingestd` ships `BuiltinComponents.registry`).
public struct ComponentRegistry: Sendable {
    public var stages: StageRegistry
    public var sources: [SourceFactory]
    public var sinks: [SinkFactory]
    /// The source used when a pipeline has no `sources:`, and the sink when it has no `sink:`.
    public var defaultSource: String
    public var defaultSink: String

    public init(stages: StageRegistry, sources: [SourceFactory] = [], sinks: [SinkFactory] = [],
                defaultSource: String = "drop_folder", defaultSink: String = "jsonl") {
        self.stages = stages
        self.sources = sources
        self.sinks = sinks
        self.defaultSource = defaultSource
        self.defaultSink = defaultSink
    }

    public func source(named name: String) -> SourceFactory? { sources.first { $0.name == name } }
    public func sink(named name: String) -> SinkFactory? { sinks.first { $0.name == name } }
}
