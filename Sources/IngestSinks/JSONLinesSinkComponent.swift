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
        return Builder(path: path, writes: [WrittenPath(key: "sink.path", url: path, line: at.line, column: at.column,
                                                        explicit: m.has("path"))])
    }

    struct Builder: SinkBuilder {
        let path: URL
        let writes: [WrittenPath]

        func build(_ context: SinkContext) throws -> any RecordSink {
            let sink = try JSONLinesSink(path: path, logger: context.logger, beforeCommit: context.beforeCommit)
            if sink.repairedBytes > 0 {
                context.logger.warning("cut a torn last line left by a crash from the records file",
                                       metadata: ["path": .string(path.path), "bytes": .stringConvertible(sink.repairedBytes)])
            }
            return sink
        }
        var summary: String { "jsonl(\(path.path))" }
        var startupMetadata: Logger.Metadata { ["records": .string(path.path)] }
    }
}
