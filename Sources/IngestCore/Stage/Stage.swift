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
/// `process` is called concurrently from several worker queues for different documents, so a
/// stage that keeps state must guard it. A stage that cannot handle a document throws a
/// `Rejection`; the runner moves the input to `failed/` with that reason.
public protocol Stage: Sendable {
    var name: String { get }
    func process(_ document: inout Document) throws -> StageVerdict
    /// Called before the sink makes a batch of records durable. A stage that persists state
    /// (the dedupe index) makes it durable here, so that an acknowledged record never refers
    /// to state a crash could lose.
    func sync() throws
    /// Called once at shutdown, after the last document.
    func close()
}

extension Stage {
    public func sync() throws {}
    public func close() {}
}

/// What a stage may use when it is built for a running pipeline.
public struct StageContext: Sendable {
    /// Where the stage may keep persistent state; nil means keep it in memory (`ingestd once`).
    public var stateDirectory: URL?
    public var pipelineName: String
    public var logger: Logger

    public init(stateDirectory: URL?, pipelineName: String, logger: Logger) {
        self.stateDirectory = stateDirectory
        self.pipelineName = pipelineName
        self.logger = logger
    }
}

/// The validated options of one stage entry, ready to be turned into a running stage.
/// Building is separate from validating so `ingestd validate` touches no state.
public protocol StageBuilder: Sendable {
    func build(_ context: StageContext) throws -> any Stage
}

/// A named stage kind: reads and validates its own options from the pipeline file.
public struct StageFactory: Sendable {
    public let name: String
    public let summary: String
    /// Stages that must come earlier in the pipeline (dedupe and classify read `text`,
    /// which normalize writes).
    public let requires: [String]
    /// Reads the options (every key of the entry but `use`). Problems go to the map's
    /// diagnostics; unknown keys are reported by the caller after this returns.
    public let configure: @Sendable (inout ConfigMap) -> any StageBuilder

    public init(name: String, summary: String, requires: [String] = [],
                configure: @escaping @Sendable (inout ConfigMap) -> any StageBuilder) {
        self.name = name
        self.summary = summary
        self.requires = requires
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
