import Foundation
import Logging

/// Log lines kept in memory, for the tests that check what was logged and with which fields.
public final class CapturedLog: @unchecked Sendable {
    public struct Line: Sendable {
        public var level: Logger.Level
        public var message: String
        public var metadata: Logger.Metadata
        /// The metadata as text, as the JSON log handler writes it.
        public var fields: [String: String] { metadata.mapValues { "\($0)" } }
    }

    private let lock = NSLock()
    private var kept: [Line] = []

    public init() {}

    public var lines: [Line] {
        lock.lock()
        defer { lock.unlock() }
        return kept
    }

    /// A logger whose every line (at any level) is kept here.
    public func logger(label: String = "test") -> Logger {
        Logger(label: label) { _ in Handler(log: self) }
    }

    fileprivate func append(_ line: Line) {
        lock.lock()
        kept.append(line)
        lock.unlock()
    }
}

private struct Handler: LogHandler {
    let log: CapturedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        log.append(.init(level: event.level, message: event.message.description, metadata: all))
    }
}
