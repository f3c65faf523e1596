import CoreMetrics
import Foundation
import Logging

/// A path a component writes to, and where the pipeline file sets it: the loader refuses a
/// pipeline in which one lies inside a folder a source claims documents from.
public struct WrittenPath: Sendable {
    public var key: String
    public var url: URL
    public var line: Int
    public var column: Int
    /// False when the path is a default: a problem with it is then shown where the folder it
    /// lies in is set, since the user wrote nothing at `line`.
    public var explicit: Bool
    public init(key: String, url: URL, line: Int, column: Int, explicit: Bool = true) {
        self.key = key
        self.url = url
        self.line = line
        self.column = column
        self.explicit = explicit
    }
}

/// What a source or sink reads its options with: data paths resolve against the data folder
/// (`--data-dir`, else the pipeline file's folder); `state` and `runtime` are already read.
public struct ComponentOptionsContext {
    public let resolve: (String) -> URL
    public let stateDirectory: URL
    public let runtime: PipelineConfig.Runtime
    /// `cluster:`, for the components that share state through PostgreSQL.
    public let cluster: ClusterSettings?
    /// Where a default (a key left out) is reported.
    public let line: Int
    public let column: Int
}

/// What a source may use when it is built for a running daemon.
public struct SourceContext: Sendable {
    public var logger: Logger
    /// Where the source's own metrics go (fetch requests by host and status); the daemon's
    /// Prometheus registry, or nothing.
    public var metrics: any MetricsFactory
    public init(logger: Logger, metrics: any MetricsFactory = NOOPMetricsHandler.instance) {
        self.logger = logger
        self.metrics = metrics
    }
}

/// The validated options of one source, ready to be turned into a running `DocumentSource`.
public protocol SourceBuilder: Sendable {
    func build(_ context: SourceContext) throws -> any DocumentSource
    /// The folder documents are claimed from, if any: nothing ingestd writes may lie inside it.
    var claimsFrom: (url: URL, key: String, line: Int, column: Int)? { get }
    var writes: [WrittenPath] { get }
    /// Folders a second daemon must not work on at the same time as this one.
    var exclusiveFolders: [URL] { get }
    /// For `ingestd validate` and the start-up log: `drop_folder(/srv/inbox)`.
    var summary: String { get }
    /// Fields of the "ingestd started" log line.
    var startupMetadata: Logger.Metadata { get }
    /// For systemd's STATUS: "watching /srv/inbox".
    var status: String { get }
    /// A reload: applies this configuration (of the same kind) to `running`, which was built
    /// from `old`. A source changes in place what it can and refuses the rest, so that a
    /// refused reload leaves the old pipeline running untouched; `check` is true for a dry
    /// run that only says whether it would refuse.
    func reload(_ running: any DocumentSource, builtFrom old: any SourceBuilder, check: Bool) -> SourceReload
}

extension SourceBuilder {
    public func reload(_ running: any DocumentSource, builtFrom old: any SourceBuilder, check: Bool) -> SourceReload {
        .refused("its options cannot change while ingestd runs; restart it to apply them")
    }
}

/// What a reload did to one running source.
public enum SourceReload: Sendable, Equatable {
    case unchanged
    /// Changed in place; the strings say what, for the log (`added`, `removed` URLs).
    case updated(added: [String], removed: [String])
    case refused(String)
}

/// A named source kind. It owns one or more keys of `sources:` (`urls` owns `urls` and
/// `fetch`) and reads them from the `sources` map itself.
public struct SourceFactory: Sendable {
    public let name: String
    public let keys: [String]
    public let summary: String
    public let configure: @Sendable (inout ConfigMap, ComponentOptionsContext) -> (any SourceBuilder)?

    public init(name: String, keys: [String], summary: String,
                configure: @escaping @Sendable (inout ConfigMap, ComponentOptionsContext) -> (any SourceBuilder)?) {
        self.name = name
        self.keys = keys
        self.summary = summary
        self.configure = configure
    }
}
