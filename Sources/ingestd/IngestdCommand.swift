import ArgumentParser
import Foundation
import IngestDaemon

@main
struct Ingestd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingestd",
        abstract: "Turns raw news documents into clean, deduplicated, classified JSON Lines records.",
        version: IngestdVersion.current,
        subcommands: [Run.self, Validate.self, Once.self]
    )
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the daemon: watch the drop folder until SIGTERM or SIGINT.",
        discussion: """
        Example:
          ingestd run --pipeline /etc/ingestd/news.yaml --data-dir /var/lib/ingestd
        Relative paths in the pipeline resolve against --data-dir (default: the pipeline file's folder).
        """)

    @Option(name: .long, help: "The pipeline file (YAML).")
    var pipeline: String

    @Option(name: .long, help: "Folder that relative paths in the pipeline resolve against.")
    var dataDir: String?

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical (overrides log.level).")
    var logLevel: String?

    func validate() throws {
        if let logLevel, !["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel) {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() throws {
        let code = Daemon.run(pipeline: URL(fileURLWithPath: pipeline),
                              dataDir: dataDir.map { URL(fileURLWithPath: $0) }, logLevel: logLevel)
        if code != 0 { throw ExitCode(code) }
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a pipeline file without running it; problems are printed as FILE:LINE:COL: message.",
        discussion: "Example:\n  ingestd validate pipelines/news.yaml")

    @Argument(help: "The pipeline file (YAML).")
    var file: String

    func run() throws {
        let code = Daemon.validate(file: URL(fileURLWithPath: file))
        if code != 0 { throw ExitCode(code) }
    }
}

struct Once: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Push the given files through the pipeline once and exit; input files are not moved.",
        discussion: """
        Example:
          ingestd once --pipeline pipelines/news.yaml --output - scrape1.txt scrape2.html | jq .title
        The dedupe index lives in memory unless --state is given. The exit status is 1 when any input was rejected.
        """)

    @Option(name: .long, help: "The pipeline file (YAML).")
    var pipeline: String

    @Option(name: .long, help: "Where to append records: a path, or - for stdout.")
    var output: String = "-"

    @Option(name: .long, help: "Folder for persistent stage state (dedupe index); default: in memory.")
    var state: String?

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String?

    @Option(name: .long, help: ArgumentHelp("Read more input paths from this file, one per line (- for stdin).",
                                            discussion: "Faster than very long command lines: find inbox -type f | ingestd once --pipeline p.yaml --files-from -"))
    var filesFrom: String?

    @Argument(help: "Files to process.")
    var inputs: [String] = []

    func validate() throws {
        if inputs.isEmpty && filesFrom == nil { throw ValidationError("name at least one input file, or --files-from") }
    }

    func run() throws {
        var paths = inputs
        if let filesFrom {
            let data = filesFrom == "-" ? FileHandle.standardInput.readDataToEndOfFile()
                : try Data(contentsOf: URL(fileURLWithPath: filesFrom))
            paths += String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        }
        let code = Daemon.once(pipeline: URL(fileURLWithPath: pipeline), inputs: paths.map { URL(fileURLWithPath: $0) },
                               output: output, stateDirectory: state.map { URL(fileURLWithPath: $0) }, logLevel: logLevel)
        if code != 0 { throw ExitCode(code) }
    }
}
