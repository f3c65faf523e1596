import Foundation

/// A pipeline file, read and validated. Every relative path is already resolved.
public struct PipelineConfig: Sendable {
    public struct Log: Sendable {
        public var level: String = "info"
        /// Seconds between summary log lines; 0 turns them off.
        public var summaryInterval: Double = 60
    }

    public struct Runtime: Sendable {
        /// Documents worked on at the same time (worker queues).
        public var concurrency: Int = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8))
        /// Documents claimed but not yet acknowledged; the source stops claiming at this bound.
        public var maxInFlight: Int = 64
        public var maxDocumentBytes: Int = 20_000_000
        public var shutdownTimeout: Double = 10
    }

    public struct DropFolder: Sendable {
        public enum AfterSuccess: String, Sendable { case move, delete }
        public var inbox: URL
        public var processing: URL
        public var done: URL
        public var failed: URL
        public var afterSuccess: AfterSuccess = .move

        public init(inbox: URL, processing: URL, done: URL, failed: URL, afterSuccess: AfterSuccess = .move) {
            self.inbox = inbox
            self.processing = processing
            self.done = done
            self.failed = failed
            self.afterSuccess = afterSuccess
        }
    }

    public struct Sink: Sendable {
        public var type: String = "jsonl"
        public var path: URL
    }

    public struct ConfiguredStage: Sendable {
        public var name: String
        public var line: Int
        public var column: Int
        public var builder: any StageBuilder
    }

    public var file: URL
    public var name: String
    public var baseDirectory: URL
    public var log = Log()
    public var runtime = Runtime()
    public var dropFolder: DropFolder?
    public var stages: [ConfiguredStage] = []
    public var sink: Sink
    public var stateDirectory: URL

    /// One line for `ingestd validate`.
    public var summary: String {
        let sources = dropFolder.map { "drop_folder(\($0.inbox.path))" } ?? "none"
        return "\(file.path): ok — pipeline '\(name)': sources: \(sources); stages: "
            + stages.map(\.name).joined(separator: " → ") + "; sink: \(sink.type)(\(sink.path.path))"
    }
}
