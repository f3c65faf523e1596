import IngestCore

/// `--level`, `--doc` and `--stage` of `ingestd tail`: which lines are shown.
public struct LogFilter: Sendable {
    /// Entries below this severity are hidden; entries with no level are hidden once it is set.
    public var minimum: LogSeverity?
    /// A document id, or its first characters (tail shows the first 12).
    public var doc: String?
    public var stage: String?

    public init(minimum: LogSeverity? = nil, doc: String? = nil, stage: String? = nil) {
        self.minimum = minimum
        self.doc = doc
        self.stage = stage
    }

    public func shows(_ line: LogLine) -> Bool {
        switch line {
        case .other:
            // A line that is not a log entry cannot be about a document or a stage; with neither
            // asked for it is shown, since it may be why the daemon stopped.
            return doc == nil && stage == nil
        case .entry(let e):
            if let minimum {
                guard let level = e.level, level >= minimum else { return false }
            }
            if let doc {
                guard let id = e.field("doc")?.stringValue, !doc.isEmpty, id.hasPrefix(doc) else { return false }
            }
            if let stage {
                guard e.field("stage")?.stringValue == stage else { return false }
            }
            return true
        }
    }
}
