import ArgumentParser
import Foundation
import IngestSinks
import IngestStages

struct TrainEntities: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-entities",
        abstract: "Train the entity tagger (the entities stage's `tagger:` option) from CoNLL-format labelled text.",
        discussion: """
        Example:
          ingestd train-entities --data conll2003-train.txt.gz --dev conll2003-dev.txt.gz --out entities.model
        The data has one token a line with its tag last (O, B-PER, I-ORG, … over PER, ORG, LOC, MISC),
        blank lines between sentences and -DOCSTART- lines between documents; .gz files are read as gzip.
        The same data and --seed give the same model, byte for byte.
        """)

    @Option(name: .long, help: "Labelled training text (CoNLL format; repeat for several files).")
    var data: [String]

    @Option(name: .long, help: "Labelled text to score the model on after training (not trained on).")
    var dev: String?

    @Option(name: .long, help: "Where to write the model.")
    var out: String

    @Option(name: .long, help: "Passes over the training data.")
    var passes: Int = EntityTaggerTraining.Options().passes

    @Option(name: .long, help: "Seed of the order sentences are seen in.")
    var seed: UInt64 = EntityTaggerTraining.Options().seed

    @Option(name: .long, help: "Drop features whose weights all stay below this share of the largest (smaller, faster model).")
    var prune: Float = EntityTaggerTraining.Options().prune

    func validate() throws {
        guard !data.isEmpty else { throw ValidationError("--data is required") }
        guard (1...100).contains(passes) else { throw ValidationError("--passes must be between 1 and 100") }
        guard prune >= 0, prune < 1 else { throw ValidationError("--prune must be at least 0 and below 1") }
    }

    static func read(_ path: String) throws -> [EntityTaggerTraining.Document] {
        do {
            let bytes = try SegmentCompression.contents(of: URL(fileURLWithPath: path))
            let docs = try CoNLLCorpus.parse(String(decoding: bytes, as: UTF8.self), file: path)
            guard !docs.isEmpty else { throw CoNLLCorpus.Failure(file: path, line: 0, reason: "no labelled sentences") }
            return docs
        } catch {
            FileHandle.standardError.write(Data("ingestd: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    func run() throws {
        let start = Date()
        var documents: [EntityTaggerTraining.Document] = []
        for path in data { documents += try Self.read(path) }
        var options = EntityTaggerTraining.Options()
        options.passes = passes
        options.seed = seed
        options.prune = prune
        let names = data.map { URL(fileURLWithPath: $0).lastPathComponent }.joined(separator: ", ")
        let (tagger, report) = EntityTaggerTraining.train(
            documents, options: options,
            provenance: "\(names): \(report(documents)); \(passes) passes, seed \(seed), prune \(prune)")
        try EntityModelFile.write(tagger, to: URL(fileURLWithPath: out))
        print(String(format: "trained on %ld sentences (%ld tokens) in %.1f s; %ld features, %ld kept; mistakes by pass: %@; wrote %@",
                     report.sentences, report.tokens, Date().timeIntervalSince(start), report.features, report.keptFeatures,
                     report.mistakes.map(String.init).joined(separator: " "), out))
        if let dev {
            let evaluation = EntityTaggerEvaluation(tagger: tagger, documents: try Self.read(dev))
            print("on \(URL(fileURLWithPath: dev).lastPathComponent) (names by exact span and type):\n\(evaluation)")
        }
    }

    private func report(_ documents: [EntityTaggerTraining.Document]) -> String {
        "\(documents.count) documents, \(documents.reduce(0) { $0 + $1.sentences.count }) sentences"
    }
}
