import ArgumentParser
import Foundation
import IngestBuiltins
import IngestDaemon

struct Tail: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Follow the daemon's logs (or its records) as readable, coloured lines.",
        discussion: """
        Examples:
          ingestd tail                                   # journalctl -u ingestd -o json -f, readable
          ingestd tail --level warning --stage dedupe    # warnings and worse from one stage
          journalctl -u ingestd -o cat | ingestd tail - --doc 3f2a9c1b7e44
          ingestd tail daemon.log --follow               # a log file, as it grows
          ingestd tail --records --pipeline /etc/ingestd/news.yaml --data-dir /var/lib/ingestd
        Without FILE the journal is read and followed. Lines that are not log entries pass
        through dimmed. --level is a minimum: trace < debug < info < notice < warning < error < critical.
        With --records: one line per new record (time, outlet, title, topics, dedupe status),
        following the records file across rotations.
        """)

    @Argument(help: "A log file, or - for stdin (default: the journal). With --records: the records file.", completion: .file())
    var file: String?

    @Option(name: .long, help: "Show this level and worse: trace, debug, info, notice, warning, error, critical.",
            completion: .list(LogSeverity.allCases.map(\.name)))
    var level: String?

    @Option(name: .long, help: "Only lines about this document (its id, or the first characters of it).")
    var doc: String?

    @Option(name: .long, help: "Only lines about this stage (normalize, dedupe, a plugin's name…).")
    var stage: String?

    @Option(name: .long, help: "The systemd unit whose journal is read.")
    var unit: String = "ingestd"

    @Flag(name: [.short, .long], help: "Keep reading FILE as it grows (the journal and --records are always followed).")
    var follow = false

    @Option(name: .long, help: "Colours: auto (on a terminal), always or never.", completion: .list(["auto", "always", "never"]))
    var color: String = "auto"

    @Flag(name: .long, help: "Follow the records file instead of the logs.")
    var records = false

    @Option(name: .long, help: "With --records: the pipeline whose records file to follow.", completion: .file(extensions: ["yaml", "yml"]))
    var pipeline: String?

    @Option(name: .long, help: "With --records and --pipeline: the folder the pipeline's paths resolve against.")
    var dataDir: String?

    @Flag(name: .long, help: "With --records: print the records already in the file first.")
    var fromStart = false

    func validate() throws {
        if let level, LogSeverity(name: level) == nil {
            throw ValidationError("--level must be one of trace, debug, info, notice, warning, error, critical")
        }
        guard ["auto", "always", "never"].contains(color) else { throw ValidationError("--color must be auto, always or never") }
        if records {
            if level != nil || doc != nil || stage != nil { throw ValidationError("--level, --doc and --stage filter logs, not --records") }
            if pipeline != nil, file != nil { throw ValidationError("give the records file or --pipeline, not both") }
            if file == "-" { throw ValidationError("--records follows a file by name; stdin cannot be followed across rotations") }
        } else {
            if pipeline != nil || dataDir != nil || fromStart { throw ValidationError("--pipeline, --data-dir and --from-start go with --records") }
            if follow, file == nil || file == "-" { throw ValidationError("--follow takes a FILE (the journal and stdin are read as they come)") }
        }
        if dataDir != nil, pipeline == nil { throw ValidationError("--data-dir goes with --pipeline") }
    }

    func run() throws {
        let style = TerminalStyle.resolve(color, fileDescriptor: 1)
        let code: Int32
        if records {
            var path = file ?? "records/records.jsonl"
            if let pipeline {
                switch RecordTail.recordsPath(pipeline: URL(fileURLWithPath: pipeline), dataDir: dataDir.map { URL(fileURLWithPath: $0) },
                                              registry: BuiltinComponents.registry) {
                case .success(let p): path = p
                case .failure(let e):
                    FileHandle.standardError.write(Data((e.description + "\n").utf8))
                    throw ExitCode(2)
                }
            }
            code = RecordTail.run(path: path, fromStart: fromStart, style: style, width: Terminal.columns(1))
        } else {
            let input: LogTail.Input = switch file {
            case nil: .journal(unit: unit)
            case "-": .standardInput
            case let path?: .file(path)
            }
            code = LogTail.run(input, follow: follow, filter: LogFilter(minimum: level.flatMap(LogSeverity.init(name:)), doc: doc, stage: stage),
                               style: style)
        }
        if code != 0 { throw ExitCode(code) }
    }
}
