import Foundation
import IngestCore

/// One line of the daemon's log as `ingestd tail` understands it.
public enum LogLine: Equatable {
    /// A log entry: from our own JSON line, or from the journal (JSON export wrapping our line in
    /// `MESSAGE`, or a plain message systemd itself wrote about the unit).
    case entry(LogEntry)
    /// Anything else (a shell's error, a torn line): shown unchanged, dimmed.
    case other(String)
}

public struct LogEntry: Equatable {
    /// Seconds since 1970, when the line said when.
    public var time: Double?
    public var level: LogSeverity?
    public var message: String
    /// The other fields, in the order the line had them (the daemon sorts them by name).
    public var fields: [(String, JSONValue)]

    public init(time: Double?, level: LogSeverity?, message: String, fields: [(String, JSONValue)]) {
        self.time = time
        self.level = level
        self.message = message
        self.fields = fields
    }

    public func field(_ name: String) -> JSONValue? { fields.last { $0.0 == name }?.1 }

    public static func == (a: LogEntry, b: LogEntry) -> Bool {
        a.time == b.time && a.level == b.level && a.message == b.message
            && JSONValue.object(a.fields) == JSONValue.object(b.fields)
    }
}

/// swift-log's levels in order, so `--level warning` can mean "warning and worse".
public enum LogSeverity: Int, Comparable, CaseIterable, Sendable {
    case trace, debug, info, notice, warning, error, critical

    public init?(name: String) {
        guard let s = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = s
    }

    public var name: String {
        switch self {
        case .trace: "trace"
        case .debug: "debug"
        case .info: "info"
        case .notice: "notice"
        case .warning: "warning"
        case .error: "error"
        case .critical: "critical"
        }
    }

    /// syslog priorities (journal `PRIORITY`): 0 emerg … 7 debug.
    init(syslogPriority p: Int) {
        switch p {
        case ...2: self = .critical
        case 3: self = .error
        case 4: self = .warning
        case 5: self = .notice
        case 6: self = .info
        default: self = .debug
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
}
