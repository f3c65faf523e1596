import Foundation
import Logging

/// What a sink may use when it is built for a running daemon.
public struct SinkContext: Sendable {
    public var logger: Logger
    /// Called before a batch is made durable: the stages persist their state first.
    public var beforeCommit: @Sendable () throws -> Void
    public init(logger: Logger, beforeCommit: @escaping @Sendable () throws -> Void) {
        self.logger = logger
        self.beforeCommit = beforeCommit
    }
}

/// The validated options of the sink, ready to be turned into a running `RecordSink`.
public protocol SinkBuilder: Sendable {
    func build(_ context: SinkContext) throws -> any RecordSink
    var writes: [WrittenPath] { get }
    /// For `ingestd validate` and the start-up log: `jsonl(/srv/records/records.jsonl)`.
    var summary: String { get }
    var startupMetadata: Logger.Metadata { get }
}

/// A named sink kind: `sink: {type: NAME, …}`.
public struct SinkFactory: Sendable {
    public let name: String
    public let summary: String
    /// Reads the options (every key of `sink:` but `type`; the map is empty when `sink:` is
    /// left out, so the defaults apply).
    public let configure: @Sendable (inout ConfigMap, ComponentOptionsContext) -> any SinkBuilder

    public init(name: String, summary: String,
                configure: @escaping @Sendable (inout ConfigMap, ComponentOptionsContext) -> any SinkBuilder) {
        self.name = name
        self.summary = summary
        self.configure = configure
    }
}
