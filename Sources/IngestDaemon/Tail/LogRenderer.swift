import Foundation
import IngestCore

/// One readable line per log entry: local time, level, message, then the fields that say what it
/// is about (doc, stage, reason, path or url) and the rest, as `key=value`.
public struct LogRenderer {
    public var style: TerminalStyle
    public var timeZone: TimeZone

    /// Shown first, in this order; the rest follow in the order of the line.
    static let leading = ["doc", "stage", "reason", "path", "url"]
    /// Ids are 32 hex characters; the first 12 tell documents apart, and `--doc` takes them.
    static let shortID = 12

    public init(style: TerminalStyle, timeZone: TimeZone = .current) {
        self.style = style
        self.timeZone = timeZone
    }

    public func render(_ line: LogLine) -> String {
        switch line {
        case .other(let text): return style.dim(text)
        case .entry(let e): return render(e)
        }
    }

    func render(_ e: LogEntry) -> String {
        var out = style.dim(e.time.map { Clock.hms($0, in: timeZone) } ?? "--:--:--") + " "
        out += level(e.level) + " " + e.message
        var fields = e.fields
        var ordered: [(String, JSONValue)] = []
        for key in Self.leading {
            if let i = fields.firstIndex(where: { $0.0 == key }) { ordered.append(fields.remove(at: i)) }
        }
        for (key, value) in ordered + fields {
            var text = Self.text(value)
            if key == "doc" || key == "of", text.count == 32 { text = String(text.prefix(Self.shortID)) }
            out += "  " + style.dim(key + "=") + text
        }
        return out
    }

    private func level(_ level: LogSeverity?) -> String {
        guard let level else { return "     " }
        let label: String
        switch level {
        case .trace: label = "TRACE"
        case .debug: label = "DEBUG"
        case .info: label = "INFO "
        case .notice: label = "NOTE "
        case .warning: label = "WARN "
        case .error: label = "ERROR"
        case .critical: label = "CRIT "
        }
        switch level {
        case .trace, .debug: return style.dim(label)
        case .info: return style.paint(label, "32")
        case .notice: return style.paint(label, "36")
        case .warning: return style.paint(label, "33")
        case .error: return style.paint(label, "31")
        case .critical: return style.paint(label, "1;31")
        }
    }

    /// A string as it is unless it would blur into the next field (spaces, quotes, `=`, empty);
    /// other values as compact JSON.
    static func text(_ value: JSONValue) -> String {
        if case .string(let s) = value {
            let plain = !s.isEmpty && !s.contains { $0 == " " || $0 == "\"" || $0 == "=" || $0.isNewline }
            return plain ? s : JSONValue.string(s).serialized()
        }
        return value.serialized()
    }
}

enum Clock {
    /// `HH:MM:SS` of a time in `zone`.
    static func hms(_ seconds: Double, in zone: TimeZone) -> String {
        let local = Int(seconds.rounded(.down)) + zone.secondsFromGMT(for: Date(timeIntervalSince1970: seconds))
        let day = ((local % 86_400) + 86_400) % 86_400
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(two(day / 3600)):\(two(day / 60 % 60)):\(two(day % 60))"
    }
}
