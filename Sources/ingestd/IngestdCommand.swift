import ArgumentParser
import Foundation
import IngestBuiltins
import IngestDaemon
import IngestStages

@main
struct Ingestd: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingestd",
        abstract: "Turns raw news documents into clean, deduplicated, classified JSON Lines records.",
        version: IngestdVersion.current,
        subcommands: [Run.self, Validate.self, Once.self, Status.self, Top.self, Tail.self, Test.self, Retry.self, Plugin.self, Train.self, TrainEntities.self, Evaluate.self, Search.self, DB.self]
    )
}

/// `--pipeline FILE [--data-dir DIR]`, as the daemon's own commands (run, retry) take them.
struct PipelineLocation: ParsableArguments {
    @Option(name: .long, help: "The pipeline file (YAML).")
    var pipeline: String

    @Option(name: .long, help: "Folder that relative paths in the pipeline resolve against.")
    var dataDir: String?

    var file: URL { URL(fileURLWithPath: pipeline) }
    var dataDirectory: URL? { dataDir.map { URL(fileURLWithPath: $0) } }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the daemon: watch the drop folder until SIGTERM or SIGINT.",
        discussion: """
        Example:
          ingestd run --pipeline /etc/ingestd/news.yaml --data-dir /var/lib/ingestd
        Relative paths in the pipeline resolve against --data-dir (default: the pipeline file's folder).
        """)

    @OptionGroup var location: PipelineLocation

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical (overrides log.level).")
    var logLevel: String?

    func validate() throws {
        if let logLevel, !["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel) {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
    }

    func run() throws {
        let code = Daemon.run(pipeline: location.file, dataDir: location.dataDirectory, logLevel: logLevel,
                              registry: BuiltinComponents.registry)
        if code != 0 { throw ExitCode(code) }
    }
}

struct Retry: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Move rejected inputs from failed/ back into the inbox (their .error.json removed) to ingest them again.",
        discussion: """
        Example:
          ingestd retry --pipeline /etc/ingestd/news.yaml --data-dir /var/lib/ingestd --reason plugin_crashed
        With no FILES and no --reason, every input in failed/ is moved. Safe while the daemon runs;
        a name already taken in the inbox gets .retry-N before its extension.
        """)

    @OptionGroup var location: PipelineLocation

    @Option(name: .long, help: "Only inputs whose .error.json has this reason (e.g. plugin_timeout).")
    var reason: String?

    @Argument(help: "Inputs in failed/ to move (names, or paths ending in them); default: all that match.")
    var files: [String] = []

    func run() throws {
        let code = RetryCommand.run(pipeline: location.file, dataDir: location.dataDirectory,
                                    reason: reason, names: files, registry: BuiltinComponents.registry)
        if code != 0 { throw ExitCode(code) }
    }
}

struct Plugin: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Try a plugin stage (exec or wasm) of a pipeline.",
        subcommands: [Check.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start one stage for real, run one document through the stages up to it, print what it did as JSON.",
            discussion: """
            Example:
              ingestd plugin check pipelines/plugins.yaml keyword-alerts --input story.html
            Nothing is recorded and no state is touched. Exit status 0 when the stage kept or dropped
            the document, 1 when it could not start or rejected it, 2 when the pipeline has problems.
            """)

        @Argument(help: "The pipeline file (YAML).")
        var pipeline: String

        @Argument(help: "The stage's name (a plugin stage's name:, or a stage kind).")
        var stage: String

        @Option(name: .long, help: "A document to try (default: a short sample article).")
        var input: String?

        func run() throws {
            let code = StageCheck.run(pipeline: URL(fileURLWithPath: pipeline), stage: stage, input: input.map { URL(fileURLWithPath: $0) },
                                      registry: BuiltinComponents.registry)
            if code != 0 { throw ExitCode(code) }
        }
    }
}

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check a pipeline file without running it; problems are printed as FILE:LINE:COL: message.",
        discussion: "Example:\n  ingestd validate pipelines/news.yaml")

    @Argument(help: "The pipeline file (YAML).")
    var file: String

    func run() throws {
        let code = Daemon.validate(file: URL(fileURLWithPath: file), registry: BuiltinComponents.registry)
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
                               output: output, stateDirectory: state.map { URL(fileURLWithPath: $0) }, logLevel: logLevel,
                               registry: BuiltinComponents.registry)
        if code != 0 { throw ExitCode(code) }
    }
}

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a text classifier from labelled examples, for the classify stage's `model:` option.",
        discussion: """
        Example:
          ingestd train --data labelled.csv --out desk.model
        The data is CSV with `category` (or `label`) and `text` columns, or JSON Lines with the label in
        --label-field (a dotted path: labels.genre reads ingestd's own records) and the text in `text`.
        """)

    @OptionGroup var examples: LabelledExamples

    @Option(name: .long, help: "Where to write the model.")
    var out: String

    @Option(name: .customLong("c"), help: "The SVM's C: larger fits the training data more closely (LinearSVC's default, 1).")
    var c: Float = LinearClassifier.Options().c

    @Option(name: .long, help: "Stop when each class's projected gradients span no more than this.")
    var tolerance: Float = LinearClassifier.Options().tolerance

    @Option(name: .long, help: "The most passes over the data.")
    var maxPasses: Int = LinearClassifier.Options().maxPasses

    @Flag(name: .long, help: "Count words only, not punctuation runs (what models before format 3 counted).")
    var noPunctuation = false

    @Option(name: .long, help: "Count pairs of adjacent words: on, off, or auto (tried from 5,000 examples on, kept if more accurate on the held-out fifth).")
    var bigrams: LinearClassifier.Bigrams = LinearClassifier.Options().bigrams

    func validate() throws {
        guard c > 0, c.isFinite else { throw ValidationError("--c must be a positive number") }
        guard tolerance > 0, tolerance.isFinite else { throw ValidationError("--tolerance must be a positive number") }
        guard maxPasses >= 1 else { throw ValidationError("--max-passes must be at least 1") }
    }

    func run() throws {
        let start = Date()
        let examples = try self.examples.read()
        var options = LinearClassifier.Options()
        options.c = c
        options.tolerance = tolerance
        options.maxPasses = maxPasses
        options.punctuation = !noPunctuation
        options.bigrams = bigrams
        let trainStart = Date()
        let (model, report) = LinearClassifier.trainReporting(texts: examples.texts, labels: examples.labels, options: options)
        let trainSeconds = Date().timeIntervalSince(trainStart)
        try ModelFile.write(model, to: URL(fileURLWithPath: out))
        let counts = Dictionary(grouping: examples.labels, by: { $0 }).map { "\($0.key) \($0.value.count)" }.sorted()
        print(String(format: "trained on %ld examples (%@) in %.2f s (%.3f s of training, %ld passes%@, temperature %.3f); wrote %@",
                     examples.texts.count, counts.joined(separator: ", "), Date().timeIntervalSince(start), trainSeconds,
                     report.passes, report.converged ? "" : ", not converged: raise --max-passes or --tolerance",
                     report.temperature, out))
        let kinds = model.kinds
        var counted = ["words"]
        if kinds.contains(.bigrams) { counted.append("word pairs") }
        if kinds.contains(.punctuation) { counted.append("punctuation runs") }
        print("counts " + counted.joined(separator: ", ") + " (\(model.terms.count) features)"
              + (report.bigramTrial.map { String(format: "; held-out accuracy %.4f without word pairs, %.4f with", $0.without, $0.with) } ?? ""))
    }
}

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score a trained model on labelled examples: accuracy, macro-F1, per-class precision and recall, confusion matrix.",
        discussion: "Example:\n  ingestd evaluate --model desk.model --data held-out.csv")

    @Option(name: .long, help: "A model written by `ingestd train`.")
    var model: String

    @OptionGroup var examples: LabelledExamples

    func run() throws {
        let classifier = try ClassifierCommands.load(model)
        let examples = try self.examples.read()
        let start = Date()
        let predictions = classifier.predict(examples.texts)
        let predicted = predictions.map(\.label)
        let evaluation = ClassifierEvaluation(truth: examples.labels, predicted: predicted)
        print(evaluation.report)
        print(CalibrationError(probabilities: predictions.map(\.probability),
                               correct: zip(predicted, examples.labels).map { $0 == $1 }).report)
        print(String(format: "\npredicted %ld examples in %.3f s", examples.texts.count, Date().timeIntervalSince(start)))
    }
}

/// `--data` and `--label-field`, the labelled examples `train` and `evaluate` read.
struct LabelledExamples: ParsableArguments {
    @Option(name: .long, help: "Labelled examples (CSV or JSON Lines).")
    var data: String

    @Option(name: .long, help: "JSON Lines: the label's field (dotted path).")
    var labelField: String = "label"

    func read() throws -> LabelledData { try ClassifierCommands.read(data, labelField: labelField) }
}

/// Shared by `train` and `evaluate`: errors as one clear line and exit status 2.
enum ClassifierCommands {
    static func read(_ path: String, labelField: String) throws -> LabelledData {
        do {
            let data = try LabelledData.read(URL(fileURLWithPath: path), labelField: labelField)
            guard !data.texts.isEmpty else { throw ValidationError("\(path): no labelled examples") }
            return data
        } catch let e as LabelledData.Failure {
            FileHandle.standardError.write(Data("ingestd: \(e)\n".utf8))
            throw ExitCode(2)
        }
    }

    static func load(_ path: String) throws -> LinearClassifier {
        do { return try ModelFile.read(URL(fileURLWithPath: path)) } catch let e as ModelFile.Failure {
            FileHandle.standardError.write(Data("ingestd: \(e)\n".utf8))
            throw ExitCode(2)
        }
    }
}

// The argument parser reads `--bigrams` straight into the enum and refuses other values, listing
// the allowed ones.
extension LinearClassifier.Bigrams: ExpressibleByArgument {}
