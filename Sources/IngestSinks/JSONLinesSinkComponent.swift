import Foundation
import IngestCore
import Logging

/// `sink: {type: jsonl, path: …}`: records appended to a JSON Lines file, made durable
/// (fsync) before any input is acknowledged. The sink of a pipeline with no `sink:`.
public enum JSONLinesSinkComponent {
    public static let factory = SinkFactory(
        name: "jsonl", summary: "one JSON record a line, appended and fsynced before inputs are acknowledged"
    ) { m, context in
        let path = context.resolve(m.string("path", default: "records/records.jsonl"))
        let at: (line: Int, column: Int) = m.has("path") ? m.keyPosition("path") : (context.line, context.column)
        let rotation = m.map("rotate").map { r in
            var r = r
            return Self.rotation(&r)
        }
        return Builder(path: path, rotation: rotation,
                       writes: [WrittenPath(key: "sink.path", url: path, line: at.line, column: at.column, explicit: m.has("path"))])
    }

    /// `sink.rotate: {max_bytes, every, keep, compress}`.
    static func rotation(_ m: inout ConfigMap) -> RotationSettings {
        var r = RotationSettings()
        r.maxBytes = m.value("max_bytes")?.byteSize(in: 1000...(1 << 40))
        r.every = m.value("every")?.duration(in: 60...(366 * 86400))
        r.keep = m.value("keep")?.duration(in: 3600...(36600 * 86400))
        r.compression = SegmentCompression(rawValue: m.oneOf("compress", SegmentCompression.allCases.map(\.rawValue), default: "none")) ?? .none
        if !m.has("max_bytes"), !m.has("every") {
            m.error("give max_bytes, every or both: without either the records file is never rotated")
        }
        m.reportUnknownKeys()
        return r
    }

    struct Builder: SinkBuilder {
        let path: URL
        let rotation: RotationSettings?
        let writes: [WrittenPath]

        func build(_ context: SinkContext) throws -> any RecordSink {
            let sink = try JSONLinesSink(path: path, logger: context.logger, rotation: rotation, beforeCommit: context.beforeCommit)
            if sink.repairedBytes > 0 {
                context.logger.warning("cut a torn last line left by a crash from the records file",
                                       metadata: ["path": .string(path.path), "bytes": .stringConvertible(sink.repairedBytes)])
            }
            return sink
        }
        var summary: String { "jsonl(\(path.path))" + (rotation == nil ? "" : ", rotated") }
        var startupMetadata: Logger.Metadata { ["records": .string(path.path)] }
    }
}
