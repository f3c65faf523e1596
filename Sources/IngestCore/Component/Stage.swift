import Foundation
import Logging

/// What a stage decided about a document.
public enum StageVerdict: Sendable, Equatable {
    /// Pass the document on to the next stage.
    case keep
    /// Stop here: no record is written, the input is acknowledged. `reason` is logged.
    case drop(reason: String, of: String?)
}

/// One step of a pipeline, in the spirit of a swift-nio handler or a Vector transform.
///
/// `process` is called concurrently for different documents, so a stage that keeps state must
/// guard it. It is asynchronous so that a stage waiting on something else (a plugin process)
/// holds no worker thread while it waits; the built-in stages are `SynchronousStage`s and run
/// on the bounded worker pool without a hop. A stage that cannot handle a document throws a
/// `Rejection`; the runner moves the input to `failed/` with that reason.
public protocol Stage: Sendable {
    var name: String { get }
    /// Called once before the first document: spawn, connect, handshake. A throw refuses the
    /// daemon's start with the error's message, so a broken stage fails fast, not per document.
    func start() async throws
    func process(_ document: inout Document) async throws -> StageVerdict
    /// Whether the stage can take documents now; summaries and health checks report it.
    var health: StageHealth { get }
    /// Called before the sink makes a batch of records durable. A stage that persists state
    /// (the dedupe index) makes it durable here, so that an acknowledged record never refers
    /// to state a crash could lose.
    func sync() throws
    /// Called once at shutdown, after the last document.
    func close()
    /// A document this stage passed on was rejected further down the pipeline, so no record
    /// carries it. A stage that remembers documents (dedupe's index) forgets this one: its retry
    /// must not be judged against a record that was never written.
    func forget(_ documentID: String)
}

extension Stage {
    public func start() async throws {}
    public var health: StageHealth { .ready }
    public func sync() throws {}
    public func close() {}
    public func forget(_ documentID: String) {}
}

/// A stage that computes its verdict on the calling thread and never waits: the built-in
/// CPU stages. The runner calls `processSynchronously` straight from its worker, so these
/// cost no task or thread hop.
public protocol SynchronousStage: Stage {
    func processSynchronously(_ document: inout Document) throws -> StageVerdict
}

extension SynchronousStage {
    public func process(_ document: inout Document) async throws -> StageVerdict {
        try processSynchronously(&document)
    }
}

/// A stage that keeps an index (dedupe) and can say how large it is, for `/metrics`. Read
/// when metrics are scraped, never per document.
public protocol IndexedStage: Stage {
    /// Entries held now, by index name ("exact", "url", "near").
    var indexEntries: [(index: String, entries: Int)] { get }
}

/// A stage's own account of whether it can work.
public enum StageHealth: Sendable, Equatable {
    case ready
    /// Working, but not as configured (a plugin process restarting).
    case degraded(String)
    /// Rejecting documents until it recovers.
    case down(String)

    public var label: String {
        switch self {
        case .ready: return "ready"
        case .degraded: return "degraded"
        case .down: return "down"
        }
    }
}

/// What a stage may use when it is built for a running pipeline.
public struct StageContext: Sendable {
    /// Where the stage may keep persistent state; nil means keep it in memory (`ingestd once`).
    public var stateDirectory: URL?
    public var pipelineName: String
    public var logger: Logger
    /// `cluster:`: a stage that keeps shared state (dedupe) keeps it in this database instead.
    public var cluster: ClusterSettings?

    public init(stateDirectory: URL?, pipelineName: String, logger: Logger, cluster: ClusterSettings? = nil) {
        self.stateDirectory = stateDirectory
        self.pipelineName = pipelineName
        self.logger = logger
        self.cluster = cluster
    }
}

/// The validated options of one stage entry, ready to be turned into a running stage.
/// Building is separate from validating so `ingestd validate` touches no state.
public protocol StageBuilder: Sendable {
    func build(_ context: StageContext) throws -> any Stage
    /// The fields this configured stage reads and writes, when its options decide them (a
    /// plugin's `reads:` and `writes:`); nil means the factory's.
    var fields: StageFields? { get }
    /// The name the entry gives the stage (`name:` of a plugin stage), when not its kind's.
    var stageName: String? { get }
    /// Seconds the stage may legitimately hold one document (a plugin's `timeout`), nil when
    /// it never waits: `runtime.stall_timeout` must be longer.
    var longestWait: Double? { get }
}

extension StageBuilder {
    public var fields: StageFields? { nil }
    public var stageName: String? { nil }
    public var longestWait: Double? { nil }
}

/// What a stage reads and writes, by document field path (`text`, `labels.topics`,
/// `extensions.NAME`). The loader refuses a pipeline where a stage reads a field that neither
/// the source nor an earlier stage writes.
public struct StageFields: Sendable, Equatable {
    public var reads: [String]
    public var writes: [String]
    public init(reads: [String], writes: [String]) {
        self.reads = reads
        self.writes = writes
    }
}

/// A named stage kind: reads and validates its own options from the pipeline file.
public struct StageFactory: Sendable {
    public let name: String
    public let summary: String
    public let fields: StageFields
    /// Reads the options (every key of the entry but `use`). Problems go to the map's
    /// diagnostics; unknown keys are reported by the caller after this returns.
    public let configure: @Sendable (inout ConfigMap) -> any StageBuilder

    public init(name: String, summary: String, fields: StageFields = StageFields(reads: [], writes: []),
                configure: @escaping @Sendable (inout ConfigMap) -> any StageBuilder) {
        self.name = name
        self.summary = summary
        self.fields = fields
        self.configure = configure
    }
}

/// Maps the names used in `stages: - use: NAME` to factories.
public struct StageRegistry: Sendable {
    private var factories: [String: StageFactory] = [:]
    private var order: [String] = []

    public init(_ factories: [StageFactory] = []) {
        for f in factories { register(f) }
    }

    public mutating func register(_ factory: StageFactory) {
        if factories[factory.name] == nil { order.append(factory.name) }
        factories[factory.name] = factory
    }

    public func factory(named name: String) -> StageFactory? { factories[name] }
    public var names: [String] { order }
}

/// A stage could not be built or started; the daemon refuses to start with this message.
public struct StageBuildError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
