import IngestCore
import Logging

/// One stderr line of a plugin as a log line of the daemon. A plugin that writes
/// `{"level":"warning","message":"..."}` (or `msg`) chooses its level; any other line is logged
/// verbatim at `info`, so a traceback is still seen.
struct PluginLogLine {
    var level: Logger.Level
    var message: String
    var fields: Logger.Metadata

    init(_ bytes: [UInt8]) {
        level = .info
        message = String(decoding: bytes, as: UTF8.self)
        fields = [:]
        guard bytes.first == UInt8(ascii: "{"), let value = try? JSONParser.parse(bytes),
              case .object(let members) = value,
              let text = (value.member("message") ?? value.member("msg"))?.stringValue
        else { return }
        message = text
        if let name = value.member("level")?.stringValue, let parsed = Self.level(name) { level = parsed }
        for (key, v) in members where !["message", "msg", "level", "stage", "pid"].contains(key) {
            fields[key] = .string(v.stringValue ?? v.serialized())
        }
    }

    static func level(_ name: String) -> Logger.Level? {
        switch name.lowercased() {
        case "trace": return .trace
        case "debug": return .debug
        case "info": return .info
        case "notice": return .notice
        case "warn", "warning": return .warning
        case "error": return .error
        case "critical", "fatal": return .critical
        default: return nil
        }
    }
}
