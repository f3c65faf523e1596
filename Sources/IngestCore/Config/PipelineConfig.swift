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

        public init() {}
    }

    public struct DropFolder: Sendable {
        public enum AfterSuccess: String, Sendable { case move, delete }
        public var inbox: URL
        public var processing: URL
        public var done: URL
        public var failed: URL
        public var afterSuccess: AfterSuccess = .move
        /// Seconds a file found without a close event (at start-up, after an overflow, a hard
        /// link) must keep its size and time before it is claimed, when the kernel cannot say
        /// whether it is still open for writing.
        public var settleTime: Double = 2

        public init(inbox: URL, processing: URL, done: URL, failed: URL, afterSuccess: AfterSuccess = .move) {
            self.inbox = inbox
            self.processing = processing
            self.done = done
            self.failed = failed
            self.afterSuccess = afterSuccess
        }
    }

    /// `sources.urls` and `sources.fetch`: pages and feeds fetched on a schedule.
    public struct URLSources: Sendable {
        public struct Entry: Sendable, Equatable {
            public enum Kind: String, Sendable { case page, feed }
            public var url: String
            public var kind: Kind
            /// Seconds between fetches.
            public var every: Double
            public var headers: [String: String]
            /// Where the entry is in the pipeline file, for messages.
            public var line: Int

            public init(url: String, kind: Kind, every: Double, headers: [String: String] = [:], line: Int = 0) {
                self.url = url
                self.kind = kind
                self.every = every
                self.headers = headers
                self.line = line
            }
        }

        public var entries: [Entry]
        public var fetch = FetchSettings()
        /// Seconds between two requests to one host.
        public var minDelay: Double = 1
        public var robots = true
        /// Attempts after the first for 5xx, 408, 429 and network errors.
        public var retries = 4
        /// The longest wait between two attempts (Retry-After may ask for longer).
        public var maxBackoff: Double = 600
        /// New items taken from one fetch of a feed, in the feed's order (newest first, as
        /// feeds list them); the rest wait for the next fetches. Bounds what one feed, however
        /// long or hostile, can make the daemon fetch and record per poll.
        public var maxItemsPerPoll = 1_000
        /// Item ids remembered per feed, beyond those the feed lists now (which are always kept).
        public var seenItems = 100_000
        /// How long an item id is remembered after its feed last listed it.
        public var seenFor: Double = 90 * 86_400
        /// Fetched bodies waiting for the stages, and the state of every URL.
        public var stateFolder: URL
        /// Fetched documents that the stages rejected, each beside NAME.error.json.
        public var failed: URL

        public init(entries: [Entry], stateFolder: URL, failed: URL) {
            self.entries = entries
            self.stateFolder = stateFolder
            self.failed = failed
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
        /// What the stage reads and writes, as checked by the loader.
        public var fields: StageFields
    }

    public var file: URL
    public var name: String
    public var baseDirectory: URL
    public var log = Log()
    public var runtime = Runtime()
    public var dropFolder: DropFolder?
    public var urls: URLSources?
    public var stages: [ConfiguredStage] = []
    public var sink: Sink
    public var stateDirectory: URL

    /// One line for `ingestd validate`.
    public var summary: String {
        let kinds = [dropFolder.map { "drop_folder(\($0.inbox.path))" },
                     urls.map { u in "urls(\(u.entries.filter { $0.kind == .page }.count) pages, \(u.entries.filter { $0.kind == .feed }.count) feeds)" }]
        let sources = kinds.compactMap { $0 }.joined(separator: ", ").isEmpty ? "none" : kinds.compactMap { $0 }.joined(separator: ", ")
        return "\(file.path): ok — pipeline '\(name)': sources: \(sources); stages: "
            + stages.map(\.name).joined(separator: " → ") + "; sink: \(sink.type)(\(sink.path.path))"
    }
}
