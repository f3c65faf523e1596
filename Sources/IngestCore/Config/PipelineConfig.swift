import Foundation

/// A pipeline file, read and validated. Every relative path is already resolved.
public struct PipelineConfig: Sendable {
    public struct Log: Sendable {
        public var level: String = "info"
        /// Seconds between summary log lines; 0 turns them off.
        public var summaryInterval: Double = 60
        /// The level of the lines that say a document went well ("record written", "document
        /// dropped"); a rejection is always a warning.
        public var documents: String = "info"
        /// At most this many of those lines a second (0: no limit); the rest are counted.
        public var documentsPerSecond: Int = 50

        public init() {}
    }

    public struct Runtime: Sendable {
        /// Documents worked on at the same time (worker queues).
        public var concurrency: Int = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        /// Documents claimed but not yet acknowledged; the source stops claiming at this bound.
        public var maxInFlight: Int = 64
        public var maxDocumentBytes: Int = 20_000_000
        public var shutdownTimeout: Double = 10
        /// A document inside one stage, or a sink commit, for longer than this stops the
        /// systemd watchdog's pings: the daemon is taken for wedged and restarted.
        public var stallTimeout: Double = 300

        public init() {}
    }

    public struct ConfiguredSource: Sendable {
        public var name: String
        public var builder: any SourceBuilder
    }

    public struct ConfiguredSink: Sendable {
        public var name: String
        public var builder: any SinkBuilder
        /// `sink:` as written, "" when left out; see `ConfiguredStage.entry`.
        public var entry: String = ""
    }

    public struct ConfiguredStage: Sendable {
        public var name: String
        public var line: Int
        public var column: Int
        public var builder: any StageBuilder
        /// What the stage reads and writes, as checked by the loader.
        public var fields: StageFields
        /// The entry as written, re-serialized (so positions and comments do not count): a
        /// reload keeps the running stage of an entry whose text is the same.
        public var entry: String = ""
    }

    public var file: URL
    public var name: String
    public var baseDirectory: URL
    public var log = Log()
    public var runtime = Runtime()
    public var sources: [ConfiguredSource] = []
    public var stages: [ConfiguredStage] = []
    public var sink: ConfiguredSink
    public var stateDirectory: URL
    /// The top-level sections as written (`runtime`, `sources`, `log`…), for a reload to tell
    /// what changed.
    public var sections: [String: String] = [:]
    /// `metrics:`; nil when the pipeline serves no metrics endpoint.
    public var metrics: MetricsSettings?
    /// `cluster:`; nil when the node keeps everything in local files.
    public var cluster: ClusterSettings?

    /// One line for `ingestd validate`.
    public var summary: String {
        let list = sources.map(\.builder.summary).joined(separator: ", ")
        return "\(file.path): ok — pipeline '\(name)': sources: \(list.isEmpty ? "none" : list); stages: "
            + stages.map(\.name).joined(separator: " → ") + "; sink: \(sink.builder.summary)"
    }
}
