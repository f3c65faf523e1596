import Foundation
import IngestCore

/// `ingestd tail --records`: the live records file, one line per record, across rotations.
public enum RecordTail {
    public static func run(path: String, fromStart: Bool, style: TerminalStyle, width: Int?) -> Int32 {
        let follower: FileFollower
        do { follower = try FileFollower(path: path, fromStart: fromStart) } catch {
            Output.error("ingestd tail: \(error)")
            return 2
        }
        var renderer = RecordRenderer(style: style, width: width)
        // As in `LogTail`: a reader gone is a write error that ends the follower (status 0).
        signal(SIGPIPE, SIG_IGN)
        while true {
            var out = ""
            for line in follower.poll() {
                out += (renderer.render(line) ?? style.dim(line)) + "\n"
            }
            do {
                if !out.isEmpty { try Output.writeChecked(out) }
            } catch let e as POSIXFailure where e.code == EPIPE {
                return 0
            } catch {
                Output.error("ingestd tail: \(error)")
                return 1
            }
            follower.wait()
            // The terminal may have been resized meanwhile.
            if width != nil { renderer.width = Terminal.columns(1) ?? width }
        }
    }

    /// The records file a pipeline writes: its sink's `records` path (relative to `dataDir`
    /// when given, as for `ingestd run`).
    public static func recordsPath(pipeline: URL, dataDir: URL?, registry: ComponentRegistry) -> Result<String, ConfigError> {
        switch Daemon.load(pipeline, dataDir: dataDir, registry: registry) {
        case .failure(let e): return .failure(e)
        case .success(let config):
            if case .string(let path)? = config.sink.builder.startupMetadata["records"] { return .success(path) }
            return .failure(ConfigError(issues: [ConfigIssue(file: pipeline.path, line: 1, column: 1,
                                                             message: "the sink '\(config.sink.name)' writes no records file to follow")]))
        }
    }
}
