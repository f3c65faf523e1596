import Foundation
import IngestCore

/// Reads the lines `ingestd tail` is given: the daemon's own JSON lines (`journalctl -o cat`, a
/// file, stdin), the journal's JSON export (`journalctl -o json`, our line in `MESSAGE`), and
/// syslog-style lines with our JSON after the `ingestd[PID]: ` prefix (`journalctl -o short`).
public enum LogLineParser {
    /// nil for a blank line.
    public static func parse(_ raw: String) -> LogLine? {
        let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : raw
        if line.allSatisfy(\.isWhitespace) { return nil }
        if let value = object(line) {
            if let entry = ownEntry(value) { return .entry(entry) }
            if let entry = journalEntry(value) { return .entry(entry) }
            return .other(line)
        }
        // A syslog-style prefix ("Nov 24 05:31:02 host ingestd[81]: {...}") before our JSON.
        if let brace = line.range(of: ": {"), let value = object(String(line[line.index(brace.lowerBound, offsetBy: 2)...])),
           let entry = ownEntry(value) {
            return .entry(entry)
        }
        return .other(line)
    }

    private static func object(_ text: String) -> JSONValue? {
        guard text.first == "{", let value = try? JSONParser.parse(text), value.isObject else { return nil }
        return value
    }

    /// A line JSONLogHandler wrote: `ts`, `level`, `msg`, then the fields.
    static func ownEntry(_ value: JSONValue) -> LogEntry? {
        guard case .object(let members) = value, let msg = value.member("msg")?.stringValue else { return nil }
        let fields = members.filter { !["ts", "level", "msg"].contains($0.0) }
        return LogEntry(time: value.member("ts")?.stringValue.flatMap(RFC3339.seconds),
                        level: value.member("level")?.stringValue.flatMap(LogSeverity.init(name:)),
                        message: msg, fields: fields)
    }

    /// A journal export entry. Its `MESSAGE` is our line when the daemon wrote it; otherwise it
    /// is systemd's or another program's text, kept with the journal's time and priority.
    static func journalEntry(_ value: JSONValue) -> LogEntry? {
        guard let message = value.member("MESSAGE") else { return nil }
        let text: String
        switch message {
        case .string(let s): text = s
        case .array(let bytes):
            // The journal exports a message that is not valid UTF-8 as an array of byte values.
            text = String(decoding: bytes.compactMap { if case .int(let b) = $0, (0...255).contains(b) { UInt8(b) } else { nil } },
                          as: UTF8.self)
        default: return nil
        }
        if let inner = object(text), let entry = ownEntry(inner) { return entry }
        let micros = value.member("__REALTIME_TIMESTAMP")?.stringValue.flatMap { Double($0) }
        let priority = value.member("PRIORITY")?.stringValue.flatMap { Int($0) }
        var fields: [(String, JSONValue)] = []
        if let unit = value.member("_SYSTEMD_UNIT")?.stringValue ?? value.member("SYSLOG_IDENTIFIER")?.stringValue {
            fields.append(("unit", .string(unit)))
        }
        return LogEntry(time: micros.map { $0 / 1e6 }, level: priority.map(LogSeverity.init(syslogPriority:)),
                        message: text, fields: fields)
    }
}

/// RFC 3339 times as the daemon writes them (`2026-11-24T05:31:02.123Z`), and with an offset.
enum RFC3339 {
    static func seconds(_ s: String) -> Double? {
        let b = Array(s.utf8)
        guard b.count >= 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " "),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var v = 0
            for i in range {
                guard b[i] >= 0x30, b[i] <= 0x39 else { return nil }
                v = v * 10 + Int(b[i] - 0x30)
            }
            return v
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19) else { return nil }
        var i = 19
        var fraction = 0.0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                fraction += Double(b[i] - 0x30) * scale
                scale /= 10
                i += 1
            }
        }
        guard i < b.count else { return nil }
        var offset = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            guard i + 1 == b.count else { return nil }
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), i + 6 == b.count, b[i + 3] == UInt8(ascii: ":"),
                  let h = number(i + 1..<i + 3), let m = number(i + 4..<i + 6) {
            offset = (h * 3600 + m * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
        } else {
            return nil
        }
        let utc = Timestamp.seconds(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        return Double(utc - Int64(offset)) + fraction
    }
}
