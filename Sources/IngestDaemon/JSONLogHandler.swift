import Foundation
import IngestCore
import Logging

/// swift-log handler writing one JSON object per line to stderr: `ts`, `level`, `msg`, then the
/// metadata as top-level fields (`doc`, `stage`, `path`, `reason`, durations), which is what
/// `journalctl -o cat | jq` users filter on.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let output: LogOutput

    public init(label: String, level: Logger.Level, output: LogOutput = .standardError) {
        self.label = label
        self.logLevel = level
        self.output = output
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var metadata = event.metadata
        if let error = event.error { metadata = (metadata ?? [:]).merging(["error": "\(error)"]) { a, _ in a } }
        write(level: event.level, message: event.message, metadata: metadata)
    }

    public func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?,
                    source: String, file: String, function: String, line: UInt) {
        write(level: level, message: message, metadata: explicit)
    }

    private func write(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?) {
        var fields: [(String, JSONValue)] = [
            ("ts", .string(Timestamp.rfc3339(Date()))),
            ("level", .string(level.rawValue)),
            ("msg", .string(message.description)),
        ]
        var merged = metadata
        if let explicit { merged.merge(explicit) { $1 } }
        for key in merged.keys.sorted() {
            fields.append((key, Self.json(merged[key]!)))
        }
        var bytes: [UInt8] = []
        JSONValue.object(fields).write(into: &bytes)
        bytes.append(0x0A)
        output.write(bytes)
    }

    static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let s): return .string(s)
        case .stringConvertible(let c):
            if let i = c as? Int { return .int(i) }
            if let d = c as? Double { return .double((d * 1000).rounded() / 1000) }
            if let b = c as? Bool { return .bool(b) }
            return .string(c.description)
        case .array(let a): return .array(a.map(json))
        case .dictionary(let d): return .object(d.keys.sorted().map { ($0, json(d[$0]!)) })
        }
    }
}

/// Where log lines go. One write(2) per line under a lock, so lines from different threads
/// never interleave.
public final class LogOutput: @unchecked Sendable {
    private let fd: Int32
    private let lock = NSLock()
    public static let standardError = LogOutput(fileDescriptor: 2)

    public init(fileDescriptor: Int32) { fd = fileDescriptor }

    /// A line redrawn in place under the log lines (the progress bar of `ingestd once`): each
    /// log line clears it, takes its place and draws it again below.
    private var statusLine: [UInt8]?
    private static let clearLine: [UInt8] = Array("\r\u{1B}[K".utf8)

    func write(_ bytes: [UInt8]) {
        lock.lock()
        defer { lock.unlock() }
        if let statusLine {
            try? FileIO.writeAll(fd, Self.clearLine + bytes + statusLine)
        } else {
            try? FileIO.writeAll(fd, bytes)
        }
    }

    /// Draws `text` as the status line, or clears it for good (nil).
    func setStatusLine(_ text: String?) {
        lock.lock()
        defer { lock.unlock() }
        statusLine = text.map { Array($0.utf8) }
        try? FileIO.writeAll(fd, Self.clearLine + (statusLine ?? []))
    }
}

extension Logger.Level {
    public init?(name: String) { self.init(rawValue: name) }
}
