import ArgumentParser
import Foundation
import IngestBuiltins
import IngestDaemon

struct Test: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a pipeline's test cases: documents in, expected fields out (topics, genre, dropped as duplicate…).",
        discussion: """
        Example:
          ingestd test pipelines/news.yaml                     # pipelines/news.test.yaml and pipelines/tests/news/*.yaml
          ingestd test pipelines/news.yaml my-desk-cases.yaml
        Each case runs its documents in order through the pipeline's stages with fresh state
        (dedupe sees only that case's documents); nothing is recorded or moved. The format is in
        docs/testing-pipelines.md. Exit status 0 when every case passes, 1 when one fails, 2 when
        the pipeline or a case file has problems (printed as FILE:LINE:COL: message).
        """)

    @Argument(help: "The pipeline file (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var pipeline: String

    @Argument(help: "Case files (default: PIPELINE's NAME.test.yaml beside it and tests/NAME/*.yaml).",
              completion: .file(extensions: ["yaml", "yml"]))
    var cases: [String] = []

    @Option(name: .long, help: "Colours: auto (on a terminal), always or never.", completion: .list(["auto", "always", "never"]))
    var color: String = "auto"

    func validate() throws {
        guard ["auto", "always", "never"].contains(color) else { throw ValidationError("--color must be auto, always or never") }
    }

    func run() throws {
        let code = PipelineTestRunner.run(pipeline: URL(fileURLWithPath: pipeline), caseFiles: cases.map { URL(fileURLWithPath: $0) },
                                          registry: BuiltinComponents.registry,
                                          style: TerminalStyle.resolve(color, fileDescriptor: 1))
        if code != 0 { throw ExitCode(code) }
    }
}
